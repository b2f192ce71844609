import type { HubState } from "../hub-state.js";

/** Datasets have numeric hub ids the legacy SDK lists by; each store counts its own. */
const lastNumericId = new WeakMap<object, number>();

/** The next numeric id of this store's ModelScope repos (models and datasets share the count). */
export function allocateNumericId(hub: HubState): number {
  let last = lastNumericId.get(hub);
  if (last === undefined) {
    const used = [...hub.repos.all("ms", "model"), ...hub.repos.all("ms", "dataset")].map(
      (m) => Number(m.extra.numericId) || 0,
    );
    last = Math.max(100, ...used);
  }
  lastNumericId.set(hub, last + 1);
  return last + 1;
}
