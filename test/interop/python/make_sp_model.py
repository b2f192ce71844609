"""Makes a tiny random checkpoint whose tokenizer is a SentencePiece model trained here, for the
converter's SentencePiece and Llama HF (byte-fallback BPE) tests.

argv[1] is a JSON job:
- "arch": "llama" | "qwen2" | "phi3"; "out": DIR; "seed": N;
- "spm": "bpe" | "unigram", "spmVocab": N, "byteFallback": bool: the SentencePiece training;
- "fast": bool: LlamaTokenizerFast (tokenizer.json too), else the slow LlamaTokenizer's files;
- "dropModel": bool: delete tokenizer.model, leaving a byte-fallback BPE tokenizer.json;
- "vocab": N, or "extraVocab": N: config.json's vocab_size, or that many ids past the tokenizer's
  (the converter pads; negative: fewer ids than tokens);
- "jinja": bool: the chat template in chat_template.jinja rather than tokenizer_config.json;
- tokenizer_config.json edits: "addPrefixSpace": bool, "dropDecoder": bool (no
  added_tokens_decoder), "dropConfigKeys": [KEY], "setConfig": {KEY: VALUE};
- "dropSpecialMap": bool: no special_tokens_map.json;
- "layers": N (default 1); "extra": {...}: more config.json fields; "dropModelConfigKeys": [KEY]: taken out of config.json after saving
  (hub configs leave defaults out);
- added tokens edited in after saving, each id given as an offset from the tokenizer's size (so
  -1 is its last added token, 0 the first id past it): "addedTokensJson": {TEXT: OFFSET} into
  added_tokens.json, "addDecoder" and "addTokenizerJson": [{"content", "offset", "special"}] into
  tokenizer_config.json's added_tokens_decoder and tokenizer.json's added_tokens (phi3 reads all
  three, in that order, each over the one before).
The corpus is inline and training runs on one thread with no sampling, so the same job gives the
same tokenizer.model.
"""
import io
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm
import torch
import transformers

from make_tiny_model import config_for

WORDS = (
    "the a of to and in is it you that he was for on are with as his they be at one have this "
    "from or had by hot word but what some we can out other were all there when up use your how "
    "said an each she which do their time if will way about many then them write would like so "
    "these her long make thing see him two has look more day could go come did number sound no "
    "most people my over know water than call first who may down side been now find café naïve "
    "über straße 日本 東京 сегодня привет 🙂 co-op 3.14 x=y+z"
).split()

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


SYLLABLES = "ka to ri ne su mo ha yu shi ra ban der lin qu ost erg vel and ion".split()


def corpus(seed):
    # Real words and made-up ones (so a unigram model has enough distinct pieces to keep).
    rng = random.Random(seed)
    words = WORDS + ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(600)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 14))) for _ in range(3000)]


def train(job, path):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus(job["seed"])),
        model_writer=model,
        model_type=job["spm"],
        vocab_size=job["spmVocab"],
        byte_fallback=job["byteFallback"],
        character_coverage=1.0,
        num_threads=1,
        shuffle_input_sentence=False,
        hard_vocab_limit=False,
        # A user-defined piece in the model (upstream types it normal) and a control piece.
        user_defined_symbols=["<sep>"],
        control_symbols=["<ctrl>"],
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
    )
    path.write_bytes(model.getvalue())


def tokenizer(job, path):
    cls = transformers.LlamaTokenizerFast if job["fast"] else transformers.LlamaTokenizer
    tok = cls(vocab_file=str(path), legacy=True, add_bos_token=True, add_eos_token=False)
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    # Added tokens that are not special: one shaped like a control token, one with a ▁.
    tok.add_tokens(["<|tool|>", "hello\u2581world", "wörld"])
    tok.pad_token = "<|im_end|>"
    tok.chat_template = CHAT_TEMPLATE
    return tok


def add_tokens(job, out, size):
    def edit(name, change):
        path = out / name
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        change(data)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")

    if job.get("addedTokensJson"):
        edit("added_tokens.json", lambda d: d.update({t: size + k for t, k in job["addedTokensJson"].items()}))
    if job.get("addDecoder"):
        def decoder(d):
            entries = d.setdefault("added_tokens_decoder", {})
            for t in job["addDecoder"]:
                entries[str(size + t["offset"])] = {
                    "content": t["content"], "lstrip": False, "normalized": False, "rstrip": False,
                    "single_word": False, "special": t["special"],
                }
        edit("tokenizer_config.json", decoder)
    if job.get("addTokenizerJson"):
        def tokenizer_json(d):
            for t in job["addTokenizerJson"]:
                d["added_tokens"].append({
                    "id": size + t["offset"], "content": t["content"], "single_word": False, "lstrip": False,
                    "rstrip": False, "normalized": False, "special": t["special"],
                })
        edit("tokenizer.json", tokenizer_json)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    torch.manual_seed(job.get("seed", 0))
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    train(job, out / "sp.model")
    tok = tokenizer(job, out / "sp.model")
    # The chat template in tokenizer_config.json, as older saves put it, or in chat_template.jinja.
    tok.save_pretrained(out, save_jinja_files=job.get("jinja", False))
    (out / "sp.model").unlink()
    if job.get("dropModel"):
        (out / "tokenizer.model").unlink()
    tok_config = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))
    if "addPrefixSpace" in job:
        tok_config["add_prefix_space"] = job["addPrefixSpace"]
    if job.get("dropDecoder"):
        # As tokenizers saved before transformers 4.34 are: added tokens in added_tokens.json only.
        del tok_config["added_tokens_decoder"]
    for key in job.get("dropConfigKeys", []):
        tok_config.pop(key, None)
    tok_config.update(job.get("setConfig", {}))
    (out / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2), encoding="utf-8")
    if job.get("dropSpecialMap"):
        (out / "special_tokens_map.json").unlink()
    add_tokens(job, out, len(tok))
    vocab = job.get("vocab") or len(tok) + job.get("extraVocab", 0)
    config, cls = config_for(
        {
            "arch": job["arch"],
            "hidden": 64,
            "ff": 128,
            "layers": job.get("layers", 1),
            "heads": 2,
            "kvHeads": 1,
            "tie": False,
            "dtype": "float32",
            "extra": job.get("extra"),
        },
        vocab,
    )
    model = cls(config)
    model.save_pretrained(out, safe_serialization=True)
    if job.get("dropModelConfigKeys"):
        config_file = out / "config.json"
        saved = json.loads(config_file.read_text(encoding="utf-8"))
        for key in job["dropModelConfigKeys"]:
            saved.pop(key, None)
        config_file.write_text(json.dumps(saved, indent=2), encoding="utf-8")
    print(json.dumps({"ok": True, "vocab": vocab, "files": sorted(p.name for p in out.iterdir())}))


if __name__ == "__main__":
    main()
