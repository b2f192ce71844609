import { forgettingWrites } from "../caches/metadata/forget-on-write.js";
import { forgetRepo } from "../caches/metadata/invalidate.js";
import { metadataRoot } from "../caches/metadata/metadata-dir.js";
import { DEST_TOKEN_VAR, type HubSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import type { HttpEvents } from "../core/http/http-client.js";
import type { HubName } from "../core/repo-ref.js";
import { HfHub } from "../hubs/hf/hf-hub.js";
import type { Hub } from "../hubs/hub.js";
import { MsHub } from "../hubs/ms/ms-hub.js";
import type { EventSink } from "../transfer/events.js";

/** HTTP retries and rate-limit waits, reported as transfer events (the renderers show a countdown). */
export function httpEventsFor(events: EventSink): HttpEvents {
  return {
    onRetry: (e) => {
      const what = `${e.method} ${new URL(e.url).pathname}`;
      if (e.rateLimited) events({ event: "rate_limit", what, waitMs: e.waitMs });
      else events({ event: "retry", what, attempt: e.attempt, waitMs: e.waitMs, reason: e.reason });
    },
  };
}

export function hubFor(name: HubName, settings: HubSettings, events?: HttpEvents): Hub {
  const problem = name === "hf" ? settings.hfTokenProblem : settings.msTokenProblem;
  // Refused at once: such a token cannot go in a header, and every request would fail slowly.
  if (problem)
    throw new HubferryError(
      "AUTH_INVALID",
      problem,
      name === "hf"
        ? "set HF_TOKEN (or the token file) to the token as copied from https://huggingface.co/settings/tokens, on one line"
        : "set MODELSCOPE_API_TOKEN to the token as copied from https://modelscope.cn/my/myaccesstoken, or log in again",
    );
  return withForgetting(
    name,
    name === "hf"
      ? new HfHub(settings.hfEndpoint, settings.hfToken, events)
      : new MsHub(settings.msEndpoint, settings.msToken, events),
  );
}

/** What hubferry writes, the metadata cache forgets (for every token), so nothing shows a stale head. */
function withForgetting(name: HubName, hub: Hub): Hub {
  return forgettingWrites(hub, (ref) => forgetRepo(metadataRoot(), name, hub.endpoint, ref));
}

/** The endpoint the destination hub is reached at: its own (`--dest-endpoint`) or the hub's. */
export function destinationEndpoint(name: HubName, settings: HubSettings): string {
  return settings.destEndpoint ?? (name === "hf" ? settings.hfEndpoint : settings.msEndpoint);
}

/**
 * The hub written to. On another endpoint it gets only HUBFERRY_DEST_TOKEN: the source's token is
 * for the source's server and is never sent anywhere else. On the same endpoint HUBFERRY_DEST_TOKEN,
 * when set, writes as another account.
 */
export function destinationHubFor(name: HubName, settings: HubSettings, events?: HttpEvents): Hub {
  if (settings.destEndpointProblem) throw settings.destEndpointProblem;
  const endpoint = destinationEndpoint(name, settings);
  const own = name === "hf" ? settings.hfEndpoint : settings.msEndpoint;
  if (endpoint === own && !settings.destToken && !settings.destTokenProblem)
    return hubFor(name, settings, events);
  if (settings.destTokenProblem)
    throw new HubferryError(
      "AUTH_INVALID",
      settings.destTokenProblem,
      `set ${DEST_TOKEN_VAR} to the destination's token as copied, on one line`,
    );
  return withForgetting(
    name,
    name === "hf"
      ? new HfHub(endpoint, settings.destToken, events, DEST_TOKEN_VAR)
      : new MsHub(endpoint, settings.destToken, events, DEST_TOKEN_VAR),
  );
}

/** Whether a destination on `hub` is on another server than a source on the same hub would be. */
export function destinationElsewhere(hub: HubName, settings: HubSettings | undefined): boolean {
  if (!settings?.destEndpoint) return false;
  return settings.destEndpoint !== (hub === "hf" ? settings.hfEndpoint : settings.msEndpoint);
}
