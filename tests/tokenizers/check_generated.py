#!/usr/bin/env python3
"""The tokenizer embedded in a generated program, end to end.

    check_generated.py TFC MAKE_WEIGHTS WORKDIR CC "CFLAGS"

Makes a Hugging Face GPT-2 folder: a byte-level BPE tokenizer.json trained
here with `tokenizers` (300 tokens, <|endoftext|> special), config.json, and
deterministic random weights (tfc-make-weights).  tfc compiles it with --main
(twice: the bytes must be identical), the C builds with CFLAGS, and then:
  - `--prompt TEXT --generate 12 --temperature 0` prints TEXT and 12 tokens;
    it must equal the bytes of TEXT's ids (encoded by
    `tokenizers`) followed by the ids `--tokens IDS --generate 12` prints,
    cut at the first <|endoftext|>;
  - `--prompt` on special tokens written in the text, and without a
    tokenizer (a model.yaml), fail or succeed as documented.
"""
import os
import subprocess
import sys

TEXTS = ["The quick brown fox jumps over the lazy dog. " * 3,
         "Once upon a time there was a little girl named Lily, 123 456.",
         "def f(x):\n    return x * 2  # code\n", "caf\u00e9 na\u00efve \u4f60\u597d \U0001F600"]
PROMPTS = ["Once upon a time", "The fox<|endoftext|> jumps 42", " caf\u00e9\n\tx"]


def make_folder(work, make_weights):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TEXTS * 4, trainer)
    folder = os.path.join(work, "tiny_gpt2_tok")
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        f.write('{"model_type": "gpt2", "vocab_size": %d, "n_positions": 64, "n_embd": 16,'
                ' "n_layer": 1, "n_head": 2}\n' % tok.get_vocab_size())
    subprocess.run([make_weights, os.path.join(folder, "model.safetensors"),
                    str(tok.get_vocab_size()), "64", "16", "1", "5"], check=True)
    return tok, folder


def byte_decoder():
    """GPT-2's bytes_to_unicode, inverted: character -> byte."""
    keep = list(range(33, 127)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, n = {}, 0
    for b in range(256):
        if b in keep:
            chars[chr(b)] = b
        else:
            chars[chr(256 + n)] = b
            n += 1
    return chars


def token_bytes(tok, ids, special):
    """The bytes ids stand for, exactly (the reference's decode() is lossy on
    partial UTF-8)."""
    dec, out = byte_decoder(), b""
    for i in ids:
        piece = tok.id_to_token(i)
        out += piece.encode() if i in special else bytes(dec[c] for c in piece)
    return out


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, **kw)
    if p.returncode != 0:
        sys.exit("%s failed (%d): %s" % (args, p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


def main():
    tfc, make_weights, work, cc, cflags = [os.path.abspath(a) if i < 3 else a
                                           for i, a in enumerate(sys.argv[1:6])]
    os.makedirs(work, exist_ok=True)
    tok, folder = make_folder(work, make_weights)
    out = []
    for run_dir in ("run1", "run2"):
        os.makedirs(os.path.join(work, run_dir), exist_ok=True)
        out.append(os.path.join(work, run_dir, "m.c"))
        os.chdir(os.path.join(work, run_dir))
        run([tfc, folder, "--main", "-o", "m.c"])
    if open(out[0], "rb").read() != open(out[1], "rb").read():
        sys.exit("two runs of tfc gave different bytes")
    exe = os.path.join(work, "run1", "m")
    run([cc] + cflags.split() + [out[0], "-o", exe, "-lm", "-lpthread"])
    end = tok.token_to_id("<|endoftext|>")
    bad = 0
    for prompt in PROMPTS:
        text = run([exe, "--prompt", prompt, "--generate", "12", "--temperature", "0"])
        ids = tok.encode(prompt).ids
        gen = [int(x) for x in run([exe, "--tokens", " ".join(map(str, ids)), "--generate", "12",
                                    "--temperature", "0"]).split()]
        if end in gen:
            gen = gen[:gen.index(end)]
        want = token_bytes(tok, ids + gen, {end}) + b"\n"
        ok = text == want
        bad += not ok
        print("%s %r: %r%s" % ("ok  " if ok else "FAIL", prompt, text, "" if ok else " want %r" % want))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
