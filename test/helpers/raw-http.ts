import { connect } from "node:net";

/**
 * HTTP over a raw loopback socket, for requests no HTTP client would send: malformed targets,
 * bodies that stop short. No half-close: a client FIN may end the socket before a streamed answer;
 * `Connection: close` ends it.
 */
export function sendRaw(port: number, text: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => s.write(text));
    let out = "";
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on("data", (d) => {
      out += d.toString("latin1");
    });
    s.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on("error", () => {});
  });
}

/**
 * Sends `head` and then `partial` (a body cut short), waits a moment so the server is mid-body,
 * then destroys the socket (a client that went away). Resolves with whatever came back meanwhile.
 */
export function sendAborted(port: number, head: string, partial: Buffer, pauseMs = 30): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => {
      s.write(head);
      if (partial.length) s.write(partial);
      setTimeout(() => s.destroy(), pauseMs);
    });
    let out = "";
    s.on("data", (d) => {
      out += d.toString("latin1");
    });
    s.on("close", () => resolve(out));
    s.on("error", () => {});
  });
}

/** The status of a raw answer, or undefined when none came. */
export function statusOf(answer: string): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  return m ? Number(m[1]) : undefined;
}
