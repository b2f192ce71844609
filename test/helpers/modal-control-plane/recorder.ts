/** One RPC as the control plane received it: which service and method, its headers, its request(s). */
export interface RecordedCall {
  service: "control" | "router";
  method: string;
  metadata: Record<string, string>;
  /** The decoded request (for a client stream: every message, in order). */
  request: unknown;
  /** The gRPC status name it answered with, e.g. "OK", "UNIMPLEMENTED". */
  status: string;
}

export class Recorder {
  readonly calls: RecordedCall[] = [];

  add(call: RecordedCall): void {
    this.calls.push(call);
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  of(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** RPCs the control plane does not serve: a test fails when there is any. */
  unimplemented(): string[] {
    return this.calls.filter((c) => c.status === "UNIMPLEMENTED").map((c) => `${c.service}:${c.method}`);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
