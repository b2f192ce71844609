/** hubferry as a library: migrate between hubs, the engine, the backends, and the local hub. */

export { type HubSettings, loadSettings } from "./core/config.js";
export { type ErrorCode, HubferryError } from "./core/errors.js";
export { formatRef, type HubName, parseRepoRef, type RepoRef } from "./core/repo-ref.js";
export { REPO_TYPES, type RepoType } from "./core/repo-type.js";
export { HfHub } from "./hubs/hf/hf-hub.js";
export { localFolderDestination, localFolderSource } from "./hubs/local/local-folder.js";
export { MsHub } from "./hubs/ms/ms-hub.js";
export { type MigrateOptions, type MigrateResult, migrate } from "./migrate/migrate.js";
export { type LocalHub, type LocalHubOptions, startLocalHub } from "./server/app.js";
export { UserTable } from "./server/auth/users.js";
export type { TransferEvent } from "./transfer/events.js";
export { executePlan } from "./transfer/execute.js";
export { type Plan, planTransfer } from "./transfer/plan.js";
export type { SourceFile, TransferDestination, TransferSource } from "./transfer/types.js";
