"""A tiny *trained* llama for the logits comparison (bench/convert-logits.mjs): a SentencePiece
BPE tokenizer of 1024 pieces and a LlamaForCausalLM (hidden 256, 4 layers, 4 heads, 2 KV heads,
ff 768, untied head, llama3 rope scaling) trained on CPU for a few hundred steps on text made from
a fixed word list, saved in float32 with its tokenizer. Trained weights matter: random weights give
flat logits on which every type looks accurate.

argv[1] is a JSON job: {"out": DIR, "steps": N, "seed": N, "lr": X, "ropeScaling": bool}.
Prints {"ok": true, "loss": ...}."""
import io
import json
import random
import sys
from pathlib import Path

import sentencepiece as spm
import torch
import transformers

WORDS = (
    "the a of to and in is it you that he was for on are with as his they be at one have this "
    "from or had by hot word but what some we can out other were all there when up use your how "
    "said an each she which do their time if will way about many then them write would like so "
    "these her long make thing see him two has look more day could go come did number sound no "
    "most people my over know water than call first who may down side been now find model hub "
    "file repo weights token layer tensor stream byte verify mirror upload download convert"
).split()


def sentences(seed, count):
    rng = random.Random(seed)
    # A little grammar, so that there is something to learn: subject, verb, object, a number.
    out = []
    for _ in range(count):
        n = rng.randint(1, 99)
        out.append(
            f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(['is', 'was', 'has'])} {n} "
            f"{rng.choice(WORDS)}s and {n + 1} {rng.choice(WORDS)}s."
        )
    return out


def main():
    job = json.loads(sys.argv[1])
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(job["seed"])
    torch.set_num_threads(2)
    text = sentences(job["seed"], 6000)
    model_bytes = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text),
        model_writer=model_bytes,
        model_type="bpe",
        vocab_size=1024,
        byte_fallback=True,
        character_coverage=1.0,
        num_threads=1,
        shuffle_input_sentence=False,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
    )
    sp_path = out / "sp.model"
    sp_path.write_bytes(model_bytes.getvalue())
    tok = transformers.LlamaTokenizerFast(vocab_file=str(sp_path), legacy=True, add_bos_token=True)
    tok.save_pretrained(out)
    sp_path.unlink()
    config = transformers.LlamaConfig(
        vocab_size=1024,
        hidden_size=256,
        intermediate_size=768,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        rms_norm_eps=1e-5,
        rope_theta=500000.0,
        rope_scaling=(
            {
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 128,
            }
            if job.get("ropeScaling")
            else None
        ),
        tie_word_embeddings=False,
        bos_token_id=1,
        eos_token_id=2,
        dtype="float32",
    )
    model = transformers.LlamaForCausalLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=job.get("lr", 1e-3), weight_decay=0.01)
    ids = [tok.encode(s) for s in text]
    rng = random.Random(job["seed"])
    loss = None
    for step in range(job["steps"]):
        batch = [rng.choice(ids)[:48] for _ in range(16)]
        width = max(len(b) for b in batch)
        x = torch.full((len(batch), width), 2, dtype=torch.long)
        mask = torch.zeros_like(x)
        for i, b in enumerate(batch):
            x[i, : len(b)] = torch.tensor(b)
            mask[i, : len(b)] = 1
        labels = x.masked_fill(mask == 0, -100)
        loss = model(input_ids=x, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(out, safe_serialization=True)
    held_out = " ".join(sentences(job["seed"] + 1, 12))
    (out / "held_out.txt").write_text(held_out, encoding="utf-8")
    print(json.dumps({"ok": True, "loss": float(loss), "steps": job["steps"]}))


if __name__ == "__main__":
    main()
