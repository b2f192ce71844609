/** hubferry as a library: migrate between hubs, the engine, the backends, and the local hub. */

export { type HubSettings, loadSettings } from "./core/config.js";
export { type ErrorCode, HubferryError } from "./core/errors.js";
export { formatRef, type HubName, parseRepoRef, type RepoRef } from "./core/repo-ref.js";
export { REPO_TYPES, type RepoType } from "./core/repo-type.js";
export { HfHub } from "./hubs/hf/hf-hub.js";
export { localFolderDestination, localFolderSource } from "./hubs/local/local-folder.js";
export { MsHub } from "./hubs/ms/ms-hub.js";
export { type MigrateOptions, type MigrateResult, migrate, type StartWorker } from "./migrate/migrate.js";
export { type WorkOrder, workOrderFor } from "./migrate/work-order.js";
export { ProcessProvider } from "./runner/process-provider.js";
export { runInSandbox, type SandboxRunOptions } from "./runner/run-in-sandbox.js";
export { type LocalHub, type LocalHubOptions, startLocalHub } from "./server/app.js";
export { UserTable } from "./server/auth/users.js";
export { dealFiles, type Share } from "./transfer/deal.js";
export type { TransferEvent } from "./transfer/events.js";
export { executePlan } from "./transfer/execute.js";
export { type Plan, planTransfer } from "./transfer/plan.js";
export { executeSharded, type LaunchWorker } from "./transfer/sharded.js";
export type { SourceFile, TransferDestination, TransferSource } from "./transfer/types.js";
