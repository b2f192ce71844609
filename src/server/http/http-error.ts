/** An error that a face renders as an HTTP response in its own dialect. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly opts: { code?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    super(message);
  }
}
