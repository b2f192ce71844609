/** hubferry as a library. */

export { REPO_TYPES, type RepoType } from "./core/repo-type.js";
export { type LocalHub, type LocalHubOptions, startLocalHub } from "./server/app.js";
export { UserTable } from "./server/auth/users.js";
