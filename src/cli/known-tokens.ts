import type { HubSettings } from "../core/config.js";

/** The tokens this environment holds, so that a secret scan catches them whatever their form. */
export function knownTokens(settings: HubSettings): { value: string; kind: string }[] {
  return [
    {
      value: settings.hfToken,
      kind: `the Hugging Face token of this environment (${settings.hfTokenSource})`,
    },
    { value: settings.msToken, kind: `the ModelScope token of this environment (${settings.msTokenSource})` },
    { value: settings.destToken, kind: "the destination token of this environment (HUBFERRY_DEST_TOKEN)" },
  ].filter((k): k is { value: string; kind: string } => !!k.value);
}
