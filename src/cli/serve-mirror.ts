import { readFile } from "node:fs/promises";
import { HubferryError } from "../core/errors.js";
import { HfHub } from "../hubs/hf/hf-hub.js";
import { MsHub } from "../hubs/ms/ms-hub.js";
import { hubUpstream, MIRROR_RETRY } from "../mirror/hub-upstream.js";
import { DEFAULT_MIRROR_TTL_SECONDS, type MirrorOptions } from "../server/mirror/mirror-options.js";
import type { Upstream } from "../server/mirror/upstream.js";
import type { Face } from "../server/store/repo-store.js";
import { parseSize } from "./parse-size.js";
import { wholeNumber } from "./whole-number.js";

export interface MirrorFlags {
  mirror: string[];
  upstreamToken: string[];
  offline: boolean;
  mirrorTtl?: string;
  mirrorMaxSize?: string;
  localNamespace: string[];
}

/** `FACE=VALUE` with FACE hf or ms, once per face. */
function byFace(flag: string, values: string[], example: string): Map<Face, string> {
  const out = new Map<Face, string>();
  for (const v of values) {
    const eq = v.indexOf("=");
    const face = v.slice(0, eq);
    if (eq <= 0 || (face !== "hf" && face !== "ms"))
      throw new HubferryError(
        "BAD_INPUT",
        `${flag} expects FACE=VALUE with FACE hf or ms (for example ${example})`,
      );
    if (out.has(face)) throw new HubferryError("BAD_INPUT", `${flag} names ${face} twice; give it once`);
    out.set(face, v.slice(eq + 1));
  }
  return out;
}

function upstreamUrl(face: Face, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HubferryError(
      "BAD_INPUT",
      `--mirror ${face}=: "${value}" is not a URL`,
      "give the upstream's base URL, e.g. https://huggingface.co",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new HubferryError("BAD_INPUT", `--mirror ${face}=: the URL must start with https:// or http://`);
  if (url.username || url.password)
    throw new HubferryError(
      "BAD_INPUT",
      `--mirror ${face}=: put no credentials in the URL`,
      `use --upstream-token ${face}=@FILE`,
    );
  return url.toString().replace(/\/+$/, "");
}

/** A token from `@FILE` (never the token itself: a command line is seen by every user of the machine). */
async function upstreamToken(face: Face, value: string): Promise<string> {
  if (!value.startsWith("@"))
    throw new HubferryError(
      "BAD_INPUT",
      `--upstream-token ${face}= takes @FILE, a file holding the token, never the token itself`,
      `write the token to a file readable only by you (chmod 600) and pass --upstream-token ${face}=@FILE`,
    );
  const file = value.slice(1);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HubferryError(
      "BAD_INPUT",
      `--upstream-token ${face}=@${file}: cannot read the file${code ? ` (${code})` : ""}`,
    );
  }
  const token = text.trim();
  if (!token || /\s/.test(token))
    throw new HubferryError(
      "BAD_INPUT",
      `--upstream-token ${face}=@${file}: the file must hold one token on one line (its text is not shown)`,
    );
  return token;
}

/** The mirror the flags describe, or undefined when no --mirror is given. */
export async function mirrorOptions(flags: MirrorFlags): Promise<MirrorOptions | undefined> {
  const urls = byFace("--mirror", flags.mirror, "hf=https://huggingface.co");
  const tokens = byFace("--upstream-token", flags.upstreamToken, "hf=@/run/secrets/hf-token");
  for (const face of tokens.keys())
    if (!urls.has(face))
      throw new HubferryError(
        "BAD_INPUT",
        `--upstream-token ${face}= is given but ${face} is not mirrored`,
        `add --mirror ${face}=URL`,
      );
  if (urls.size === 0) {
    if (flags.offline || flags.mirrorTtl || flags.mirrorMaxSize)
      throw new HubferryError(
        "BAD_INPUT",
        "--offline, --mirror-ttl and --mirror-max-size apply to a mirror",
        "add --mirror hf=URL and/or --mirror ms=URL",
      );
    return undefined;
  }
  const upstreams: Partial<Record<Face, Upstream>> = {};
  for (const [face, value] of urls) {
    const endpoint = upstreamUrl(face, value);
    const raw = tokens.get(face);
    const token = raw === undefined ? undefined : await upstreamToken(face, raw);
    const hub =
      face === "hf"
        ? new HfHub(endpoint, token, undefined, "--upstream-token hf", MIRROR_RETRY)
        : new MsHub(endpoint, token, undefined, "--upstream-token ms", MIRROR_RETRY);
    upstreams[face] = hubUpstream(hub);
  }
  return {
    upstreams,
    offline: flags.offline,
    ttlSeconds: flags.mirrorTtl
      ? wholeNumber("--mirror-ttl", flags.mirrorTtl, 0)
      : DEFAULT_MIRROR_TTL_SECONDS,
    localNamespaces: flags.localNamespace,
    ...(flags.mirrorMaxSize ? { maxBytes: parseSize("--mirror-max-size", flags.mirrorMaxSize) } : {}),
  };
}
