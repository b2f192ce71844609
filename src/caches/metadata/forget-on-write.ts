import type { RepoRef } from "../../core/repo-ref.js";
import type { Hub } from "../../hubs/hub.js";
import type { TransferDestination } from "../../transfer/types.js";

type Forget = (ref: RepoRef) => Promise<void>;

/** A destination whose commits (done or failed: a lost answer may still have landed) forget the repo. */
function forgettingDestination(dest: TransferDestination, forget: () => Promise<void>): TransferDestination {
  const commit: TransferDestination["commit"] = async (...args) => {
    try {
      return await dest.commit(...args);
    } finally {
      await forget();
    }
  };
  return new Proxy(dest, {
    get(target, prop) {
      if (prop === "commit") return commit;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A hub whose writes (commits, new repos, server-side duplicates) make the metadata cache forget
 * what they changed, so the next `info` or `tree` of a repo hubferry just wrote shows the new commit.
 */
export function forgettingWrites(hub: Hub, forget: Forget): Hub {
  return new Proxy(hub, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "destination")
        return (ref: RepoRef, opts?: Parameters<Hub["destination"]>[1]) =>
          forgettingDestination(target.destination(ref, opts), () => forget(ref));
      if (prop === "createRepo")
        return async (ref: RepoRef, opts: Parameters<Hub["createRepo"]>[1]) => {
          try {
            return await target.createRepo(ref, opts);
          } finally {
            await forget(ref);
          }
        };
      if (prop === "duplicateRepo")
        return async (from: RepoRef, to: RepoRef, ...rest: [{ private: boolean }, AbortSignal?]) => {
          try {
            return await target.duplicateRepo!(from, to, ...rest);
          } finally {
            await forget(to);
          }
        };
      return value.bind(target);
    },
  });
}
