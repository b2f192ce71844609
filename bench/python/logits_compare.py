"""Bar 6 of the conversion issue: llama.cpp's logits (the llama-cpp-python binding over the libllama
scripts/setup-ggml.mjs builds, f32 KV cache) on each GGUF against transformers' (float32) on the
source checkpoint, for the same token ids of a held-out text.

argv[1] is a JSON job: {"model": DIR, "ggufs": {TYPE: PATH}, "text": STR, "threads": N}.
Prints {"tokens": N, "same_tokens": {TYPE: bool}, "rows": {TYPE: {max_abs, kl_mean, top1}}}."""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from llama_cpp import GGML_TYPE_F32, Llama


def softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def main():
    job = json.loads(sys.argv[1])
    tok = transformers.AutoTokenizer.from_pretrained(job["model"])
    ids = tok.encode(job["text"])
    model = transformers.AutoModelForCausalLM.from_pretrained(job["model"], dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        ref = model(torch.tensor([ids])).logits[0].double().numpy()
    p = softmax(ref)
    rows = {}
    same_tokens = {}
    # SentencePiece's own tokenization of the text (BOS first), the third opinion on the ids.
    sp_ids = None
    sp_path = Path(job["model"]) / "tokenizer.model"
    if sp_path.exists():
        import sentencepiece

        sp_ids = [tok.bos_token_id] + sentencepiece.SentencePieceProcessor(model_file=str(sp_path)).encode(job["text"])
    same_sp = {}
    for name, path in job["ggufs"].items():
        llm = Llama(
            model_path=path,
            n_ctx=max(256, len(ids) + 8),
            n_batch=512,
            logits_all=True,
            type_k=GGML_TYPE_F32,
            type_v=GGML_TYPE_F32,
            n_threads=job.get("threads", 2),
            verbose=False,
        )
        own = llm.tokenize(job["text"].encode("utf-8"), add_bos=True)
        same_tokens[name] = own == ids
        same_sp[name] = sp_ids is not None and own == sp_ids
        llm.eval(ids)
        got = np.array(llm.scores[: len(ids)], dtype=np.float64)
        q = softmax(got)
        kl = (p * (np.log(p + 1e-30) - np.log(q + 1e-30))).sum(axis=-1)
        rows[name] = {
            "max_abs": float(np.abs(got - ref).max()),
            "kl_mean": float(kl.mean()),
            "top1": float((got.argmax(-1) == ref.argmax(-1)).mean()),
        }
        del llm
    print(
        json.dumps(
            {
                "tokens": len(ids),
                "same_tokens": same_tokens,
                "same_as_sentencepiece": same_sp,
                "hf_same_as_sentencepiece": sp_ids == ids,
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
