"""Judge of a rebuilt tokenizer: the source model's tokenizer and the one rebuilt from a GGUF,
both loaded by transformers (AutoTokenizer, the fast tokenizers library underneath), must give the
same ids for every text, with special tokens parsed in the text, and the same chat rendering.
Usage: tokenizer_compare.py '{"original": DIR, "rebuilt": DIR, "texts": [...]}' -> a JSON report."""
import json
import sys

from transformers import AutoTokenizer

job = json.loads(sys.argv[1])
texts = job["texts"]
original = AutoTokenizer.from_pretrained(job["original"])
rebuilt = AutoTokenizer.from_pretrained(job["rebuilt"])
mismatches = []
for text in texts:
    a = original.encode(text, add_special_tokens=False)
    b = rebuilt.encode(text, add_special_tokens=False)
    if a != b:
        mismatches.append({"text": text, "original": a[:40], "rebuilt": b[:40]})
    if rebuilt.decode(b) != original.decode(a):
        mismatches.append({"text": text, "decoded": rebuilt.decode(b), "expected": original.decode(a)})
messages = [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello!"}]
chat = None
if original.chat_template:
    chat = original.apply_chat_template(messages, tokenize=False) == rebuilt.apply_chat_template(messages, tokenize=False)
print(json.dumps({
    "mismatches": mismatches,
    "chat_same": chat,
    "with_specials": rebuilt.encode("x"),
    "bos": rebuilt.bos_token,
    "eos": rebuilt.eos_token,
    "vocab": len(rebuilt),
    "original_vocab": len(original),
}))
