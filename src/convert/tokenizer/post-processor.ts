import type { Json, JsonObject } from "../arch/hparams.js";
import type { Kind, SpecialVocab } from "./special-vocab.js";

/**
 * What tokenizer.json's post-processor says about BOS/EOS/SEP, read as gguf-py's SpecialVocab
 * reads it (a crude parse of simple templates, on purpose the same crude parse, so the flags and
 * ids agree with upstream's GGUFs). `config` (tokenizer_config.json, or undefined when absent or
 * empty) is updated in place the way upstream updates it: later steps read the tokens it names.
 */
const isObject = (v: Json | undefined): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);

function specialId(step: Json | undefined): string | undefined {
  if (!isObject(step) || !isObject(step.SpecialToken)) return undefined;
  const id = step.SpecialToken.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

function sequenceId(step: Json | undefined): string | undefined {
  if (!isObject(step) || !isObject(step.Sequence)) return undefined;
  return typeof step.Sequence.id === "string" ? step.Sequence.id : undefined;
}

/** A config value as upstream reads it with `.get()`: a string, or whatever else is there. */
const tokenOf = (config: JsonObject | undefined, key: string): Json | undefined => config?.[key] ?? undefined;
const truthy = (v: Json | undefined): boolean =>
  v !== undefined && v !== null && v !== "" && v !== false && v !== 0;

interface Specials {
  bos: Json | undefined;
  cls: Json | undefined;
  eos: Json | undefined;
  sep: Json | undefined;
}

export function readPostProcessor(
  processor: Json | undefined,
  config: JsonObject | undefined,
  vocab: SpecialVocab,
): void {
  const s: Specials = {
    bos: tokenOf(config, "bos_token"),
    cls: tokenOf(config, "cls_token"),
    eos: tokenOf(config, "eos_token"),
    sep: tokenOf(config, "sep_token"),
  };
  if (!truthy(s.bos) && truthy(s.cls) && config) config.bos_token = s.bos = s.cls as Json;
  if (!truthy(s.eos) && truthy(s.sep) && config) config.eos_token = s.eos = s.sep as Json;
  if (!isObject(processor)) return;
  const steps = Array.isArray(processor.processors) ? processor.processors : [processor];
  for (const step of steps) {
    if (!isObject(step)) continue;
    if (step.type === "ByteLevel") {
      if (!vocab.add.has("bos")) vocab.add.set("bos", false);
      if (!vocab.add.has("eos")) vocab.add.set("eos", false);
    } else if (step.type === "RobertaProcessing") {
      vocab.add.set("bos", true).set("eos", true).set("sep", true);
      if (!truthy(s.cls) && config)
        config.cls_token = s.cls = Array.isArray(step.cls) ? (step.cls[0] ?? null) : (s.bos ?? null);
      if (!truthy(s.sep) && config)
        config.sep_token = s.sep = Array.isArray(step.sep) ? (step.sep[0] ?? null) : (s.eos ?? null);
    } else if (step.type === "TemplateProcessing") {
      templateProcessing(step, config, vocab, s);
    }
  }
}

function templateProcessing(
  step: JsonObject,
  config: JsonObject | undefined,
  vocab: SpecialVocab,
  s: Specials,
): void {
  const single = Array.isArray(step.single) ? step.single : [];
  let pair = Array.isArray(step.pair) ? step.pair : [];
  let first: string | undefined;
  let last: string | undefined;
  if (single.length > 1) {
    first = specialId(single[0]);
    if (first) {
      if (!config) s.bos = first;
      else if (first !== s.bos && first !== s.cls) {
        if (!truthy(s.bos)) config.bos_token = s.bos = first;
        if (!truthy(s.cls)) config.cls_token = s.cls = first;
      }
      vocab.add.set("bos", first === s.bos || first === s.cls);
    }
    last = specialId(single[single.length - 1]);
    if (last) {
      if (!config) s.eos = last;
      else if (last !== s.eos) {
        const extra: Kind | undefined = !vocab.hasKind("eot")
          ? "eot"
          : !vocab.hasKind("eom")
            ? "eom"
            : undefined;
        if (extra) {
          vocab.addKind(extra);
          config[`${extra}_token`] = s.eos ?? null;
        }
        config.eos_token = s.eos = last;
      }
      vocab.add.set("eos", last === s.eos);
    }
  }
  if (!pair.length) return;
  const start = first && specialId(pair[0]) === first ? 1 : 0;
  const stop = last && specialId(pair[pair.length - 1]) === last ? pair.length - 1 : pair.length;
  pair = pair.slice(start, stop);
  if (!pair.length || sequenceId(pair[0]) !== "A" || sequenceId(pair[pair.length - 1]) !== "B") return;
  const middle = pair.slice(1, -1);
  if (!middle.length) return;
  let addSep = false;
  const entry = specialId(middle[0]);
  if (entry && (entry === s.sep || entry === s.eos) && !last) addSep = true;
  if (middle.length === 2) {
    const second = specialId(middle[1]);
    if (second && (second === s.sep || second === s.eos)) addSep = true;
  }
  vocab.add.set("sep", addSep);
  if (addSep && !truthy(s.sep) && config) config.sep_token = s.eos ?? null;
}
