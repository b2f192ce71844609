import { endpointUrl, type HubSettings, loadSettings } from "../core/config.js";

/**
 * The settings of one transfer: the environment's, with `--dest-endpoint` over
 * HUBFERRY_DEST_ENDPOINT. Read once per command, so every part of a run (and every sandbox it
 * starts) sees the same endpoints and tokens.
 */
export function transferSettings(flags: { destEndpoint?: string }): HubSettings {
  const settings = loadSettings();
  if (flags.destEndpoint !== undefined) {
    settings.destEndpoint = endpointUrl(flags.destEndpoint, "--dest-endpoint");
    settings.destEndpointProblem = undefined;
  }
  return settings;
}
