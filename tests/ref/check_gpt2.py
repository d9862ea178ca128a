#!/usr/bin/python3
"""GPT-2 end-to-end against PyTorch: one model (made by gpt2_models.py), one mode.

    check_gpt2.py --tfc TFC --cc CC --cflags FLAGS --model DIR --work DIR --mode MODE

MODE is frontend (tests/ref/fe_run.c: the frontend and the interpreter, no
driver, no passes), interp-O0 | interp-O2 (tfc INPUT -ON --interpret --tokens .. --logits),
yaml-O0 | yaml-O2 (tfc INPUT -ON --emit=yaml, read back by fe_run; written again
from itself it must not change)
or c-O0 | c-O2 (tfc INPUT -ON --main -o m.c; cc FLAGS m.c -lm -lpthread; ./m
--tokens .. --logits, then again with --incremental; tfc run twice must
write identical files).  Each result must be
within max|logit error| <= 1e-4 * max|reference logit|; the worst relative
error is printed.  Exit 77 (skipped) only while the tfc being tested says the
mode is not built yet.
"""
import argparse
import os
import shutil
import subprocess
import sys

import numpy as np

TOLERANCE = 1e-4
NOT_BUILT = ("not built yet", "--interpret takes a .rasp program", "unknown option '--tokens'")


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr)
        if any(s in p.stderr for s in NOT_BUILT):
            print("SKIP: this tfc does not have the mode yet")
            sys.exit(77)
        sys.exit("FAIL: exit status %d" % p.returncode)


def compare(what, out_path, ref):
    got = np.fromfile(out_path, dtype="<f4")
    if got.size != ref.size:
        print("FAIL %s: %d logits, expected %d" % (what, got.size, ref.size))
        return False
    worst = float(np.abs(got - ref).max() / np.abs(ref).max())
    ok = worst <= TOLERANCE
    print("%s %s: worst relative error %.3g (tolerance %g)" % ("ok  " if ok else "FAIL", what,
                                                                worst, TOLERANCE))
    return ok


def check_yaml(a, model_input, tokens, ref, name, opt):
    """--emit=yaml, read back (frontend + interpreter) against torch; written
    again from itself at -O0 it must give the same files (a fixed point)."""
    again = os.path.join(a.work, "again")
    os.makedirs(again)
    first, second = os.path.join(a.work, "m.yaml"), os.path.join(again, "m.yaml")
    run([a.tfc, model_input, "-" + opt, "--emit=yaml", "-o", first])
    out = os.path.join(a.work, "logits.f32")
    run([a.fe_run, first, tokens, out])
    ok = compare("%s --emit=yaml -%s, read back" % (name, opt), out, ref)
    run([a.tfc, first, "-O0", "--emit=yaml", "-o", second])
    for path in ("m.yaml", "m.safetensors"):
        with open(os.path.join(a.work, path), "rb") as f1, open(os.path.join(again, path), "rb") as f2:
            one, two = f1.read(), f2.read()
        if path.endswith(".yaml"):   # the first line names the source
            one, two = one.split(b"\n", 1)[1], two.split(b"\n", 1)[1]
        if one != two:
            print("FAIL: %s written again from itself differs" % path)
            ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    for opt in ("tfc", "cc", "cflags", "model", "work", "mode"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--fe-run", help="the fe_run test program (mode frontend)")
    a = ap.parse_args()
    with open(os.path.join(a.model, "input")) as f:
        model_input = f.read().strip()
    with open(os.path.join(a.model, "tokens.txt")) as f:
        tokens = f.read().strip()
    ref = np.fromfile(os.path.join(a.model, "logits.bin"), dtype="<f4")
    kind, opt = (a.mode + "-O0").split("-")[:2]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    name = os.path.basename(os.path.normpath(a.model))
    if kind == "frontend":
        out = os.path.join(a.work, "logits.f32")
        run([a.fe_run, model_input, tokens, out])
        ok = compare("%s frontend + interpreter" % name, out, ref)
    elif kind == "yaml":
        ok = check_yaml(a, model_input, tokens, ref, name, opt)
    elif kind == "interp":
        out = os.path.join(a.work, "logits.f32")
        run([a.tfc, model_input, "-" + opt, "--interpret", "--tokens", tokens, "--logits", out])
        ok = compare("%s interpreter -%s" % (name, opt), out, ref)
    else:
        src, exe = os.path.join(a.work, "m.c"), os.path.join(a.work, "m")
        again = os.path.join(a.work, "again")
        os.makedirs(again)
        model_input = os.path.abspath(model_input)
        for cwd in (a.work, again):   # the same command twice: the same bytes
            run([a.tfc, model_input, "-" + opt, "--main", "-o", "m.c"], cwd=cwd)
        for ext in (".c", ".h"):
            with open(src[:-2] + ext, "rb") as f1, open(os.path.join(again, "m" + ext), "rb") as f2:
                if f1.read() != f2.read():
                    sys.exit("FAIL: two runs of tfc gave different m%s" % ext)
        run([a.cc] + a.cflags.split() + [src, "-lm", "-lpthread", "-o", exe])
        run([exe, "--tokens", tokens, "--logits", "one.f32"], cwd=a.work)
        run([exe, "--tokens", tokens, "--logits", "inc.f32", "--incremental"], cwd=a.work)
        ok = compare("%s generated C -%s" % (name, opt), os.path.join(a.work, "one.f32"), ref)
        ok &= compare("%s generated C -%s --incremental" % (name, opt),
                      os.path.join(a.work, "inc.f32"), ref)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
