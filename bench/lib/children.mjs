// Every child process the benchmark starts is registered here, so that one call ends them all
// (on success, on failure, on Ctrl-C), each by its own pid. Once closing, a child started late
// (by a measurement still under way) is ended at once.
const children = new Set();
let closing = false;

export function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (closing) child.kill("SIGTERM");
  return child;
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the child has exited. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export const isClosing = () => closing;

/** Ends every child, and every child started from now on. */
export async function stopAll() {
  closing = true;
  await Promise.all([...children].map(stopChild));
}
