/**
 * A listing asked once: the files of a pinned commit never change, so the plan, the empty-filter
 * check and a server-side copy share one request. A failed listing is not kept (the next call asks again).
 */
export function listOnce<T>(list: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= list().catch((err) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
