/**
 * How long a mirror keeps a branch or tag pinned to the commit it named, by default. Here, apart
 * from the server, so that `serve --help` can say it without loading the server.
 */
export const DEFAULT_MIRROR_TTL_SECONDS = 300;
