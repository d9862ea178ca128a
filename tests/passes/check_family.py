#!/usr/bin/python3
"""check_family.py — every pass, on every family, checked by the interpreter.

    check_family.py --tfc TFC --work DIR (--gpt2 MODEL_DIR | --case FAMILY_CASE)

The model is a tiny random one: a GPT-2 made by tests/ref/gpt2_models.py
(MODEL_DIR holds `input` and `tokens.txt`), or a Llama/BERT case of
tests/families/check_model.py.  The baseline is `tfc INPUT -O0 --interpret`;
then each pass of passes.def alone (--passes=X --verify-each) and each of
-O1..-O3 must give outputs at the strength passes.def declares: the same bits
for an "exact (bitwise)" pass, else max abs error within X x max|baseline| for
"exact (rel. X)" (an -O level: the sum over its passes, as pass_run_strength).
The passes an -O level applies or declines are printed with --remarks.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def pass_table():
    """(name, level, relative tolerance; 0 = bitwise) for each line of passes.def."""
    with open(os.path.join(HERE, "..", "..", "passes", "passes.def")) as f:
        rows = re.findall(r'^PASS\((\w+), *(\d+), *"exact \((bitwise|rel\. [0-9.e-]+)\)"', f.read(), re.M)
    return [(n, int(l), 0.0 if k == "bitwise" else float(k[5:])) for n, l, k in rows]


def pass_names():
    return [n for n, _, _ in pass_table()]


def tolerance(name):
    """The declared strength of a run: a pass name, or "O1".."O3"."""
    table = pass_table()
    if name.startswith("pass-"):
        return [t for n, _, t in table if n == name[5:]][0]
    level = int(name[1])
    return sum(t for _, l, t in table if 1 <= l <= level)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr)
        sys.exit("FAIL: exit status %d" % p.returncode)
    return p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--gpt2")
    ap.add_argument("--case")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    if a.gpt2:
        with open(os.path.join(a.gpt2, "input")) as f:
            src = f.read().strip()
        with open(os.path.join(a.gpt2, "tokens.txt")) as f:
            tokens = f.read().strip()
    else:
        sys.path.insert(0, os.path.join(HERE, "..", "families"))
        import check_model  # the families' model makers and their tokens
        src = check_model.make_case(a.case, os.path.join(a.work, "in"))[0]
        tokens = " ".join(map(str, check_model.TOKENS))

    def interpret(name, flags):
        out = os.path.join(a.work, name + ".f32")
        remarks = run([a.tfc, src] + flags + ["--interpret", "--tokens", tokens, "--logits", out])
        return np.fromfile(out, dtype="<f4"), remarks

    base, _ = interpret("O0", ["-O0"])
    ok = True
    runs = [("pass-" + p, ["--passes=" + p]) for p in pass_names()]
    runs += [("O%d" % n, ["-O%d" % n]) for n in (1, 2, 3)]
    for name, flags in runs:
        got, remarks = interpret(name, flags + ["--verify-each", "--remarks"])
        err = float(np.abs(got - base).max() / np.abs(base).max()) if got.size == base.size else 1e9
        tol = tolerance(name)
        good = err <= tol and (tol > 0 or got.tobytes() == base.tobytes())
        ok &= good
        fired = sorted(set(re.findall(r"remark: (\w+): (?!not applied)", remarks)))
        declined = re.findall(r"remark: (\w+: not applied: [^\n]*)", remarks)
        print("%s %-22s relative error %.3g (declared %s)%s%s" % (
            "ok  " if good else "FAIL", name, err, "%g" % tol if tol else "bitwise",
            "; fired: " + ",".join(fired) if fired else "",
            "; " + "; ".join(declined) if declined else ""))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
