import { hfTokenFile, loadSettings } from "../core/config.js";
import { HubferryError } from "../core/errors.js";
import { HfHub } from "../hubs/hf/hf-hub.js";
import { MsHub } from "../hubs/ms/ms-hub.js";
import { modalCredentials } from "../runner/modal-config.js";
import { verifyModalCredentials } from "../runner/modal-provider.js";

export interface TokenCheck {
  name: "huggingface" | "modelscope" | "modal";
  present: boolean;
  /** Where it was found: an env var name or a file path (never the token). */
  source?: string;
  valid?: boolean;
  user?: string;
  /** The token's role as the hub states it (HF whoami-v2 `auth.accessToken.role`); unset when the hub does not say. */
  role?: string;
  endpoint?: string;
  problem?: string;
  /** The hub could not be reached: no verdict on the token (exit 1, not 3). */
  unreachable?: boolean;
  getOne: string;
}

const MODAL_ID_RE = /^ak-[A-Za-z0-9]{10,}$/;
const MODAL_SECRET_RE = /^as-[A-Za-z0-9]{10,}$/;

/** The seed's token validation: each token present? accepted by its hub? and where to get one. */
export async function checkTokens(opts: { verify: boolean; verifyModal?: boolean }): Promise<TokenCheck[]> {
  const s = loadSettings();
  const out: TokenCheck[] = [];
  const hf: TokenCheck = {
    name: "huggingface",
    present: !!s.hfToken,
    source: s.hfTokenSource,
    endpoint: s.hfEndpoint,
    getOne: "https://huggingface.co/settings/tokens (then export HF_TOKEN=... or run `hf auth login`)",
  };
  const ms: TokenCheck = {
    name: "modelscope",
    present: !!s.msToken,
    source: s.msTokenSource,
    endpoint: s.msEndpoint,
    getOne: "https://modelscope.cn/my/myaccesstoken (then export MODELSCOPE_API_TOKEN=...)",
  };
  for (const [check, hub] of [
    [hf, new HfHub(s.hfEndpoint, s.hfToken)],
    [ms, new MsHub(s.msEndpoint, s.msToken)],
  ] as const) {
    const malformed = check.name === "huggingface" ? s.hfTokenProblem : s.msTokenProblem;
    if (malformed) {
      check.present = true;
      check.valid = false;
      check.problem = malformed;
    } else if (!check.present) {
      check.problem = `not set (looked at ${check.name === "huggingface" ? `HF_TOKEN, HUGGING_FACE_HUB_TOKEN and ${hfTokenFile()}` : "MODELSCOPE_API_TOKEN and MODELSCOPE_TOKEN"})`;
    } else if (opts.verify) {
      try {
        const me = await hub.whoami();
        check.valid = true;
        check.user = me.name;
        if (me.role) check.role = me.role;
      } catch (err) {
        check.valid = false;
        check.problem = err instanceof HubferryError ? err.message : String(err);
      }
    }
    out.push(check);
  }
  // The same resolution the SDK applies: env first, then the active profile of ~/.modal.toml.
  const creds = modalCredentials();
  const id = creds.tokenId;
  const secret = creds.tokenSecret;
  const modal: TokenCheck = {
    name: "modal",
    present: !!(id && secret),
    source: id && secret ? creds.source : undefined,
    getOne: "https://modal.com/settings/tokens (only for --runner modal)",
  };
  if (id || secret) {
    if (!id || !secret)
      modal.problem =
        "MODAL_TOKEN_ID and MODAL_TOKEN_SECRET must both be set (or token_id and token_secret in the active profile of ~/.modal.toml)";
    else if (!MODAL_ID_RE.test(id) || !MODAL_SECRET_RE.test(secret))
      modal.problem = `malformed (${creds.source}): a token id starts with ak- and a token secret with as-`;
    else modal.problem = undefined;
  } else modal.problem = "not set (optional: only the Modal runner needs it)";
  if (opts.verifyModal && modal.present && !modal.problem) {
    const r = await verifyModalCredentials();
    if (r.unreachable) modal.unreachable = true;
    else modal.valid = r.valid;
    if (r.problem) modal.problem = r.problem;
  }
  out.push(modal);
  return out;
}
