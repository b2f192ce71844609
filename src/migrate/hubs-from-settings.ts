import type { HubSettings } from "../core/config.js";
import type { HttpEvents } from "../core/http/http-client.js";
import type { HubName } from "../core/repo-ref.js";
import { HfHub } from "../hubs/hf/hf-hub.js";
import type { Hub } from "../hubs/hub.js";
import { MsHub } from "../hubs/ms/ms-hub.js";

export function hubFor(name: HubName, settings: HubSettings, events?: HttpEvents): Hub {
  return name === "hf"
    ? new HfHub(settings.hfEndpoint, settings.hfToken, events)
    : new MsHub(settings.msEndpoint, settings.msToken, events);
}
