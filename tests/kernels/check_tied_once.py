"""check_tied_once.py — a tied lm head's table is stored once, packed (issue 6).

    check_tied_once.py --tfc TFC --cc CC --cflags FLAGS --work DIR [--gpt2 MODEL_DIR]

The tiny tied Llama of the family tests (tests/families/check_model.py,
llama_gqa_tied), and the GPT-2 model folder when given, compiled at -O2 with
--weights=file for every target: each SIMD target's weights file must be
exactly the size of the generic target's (which packs nothing and copies
nothing), so the table the embedding and the head share is in it once; its
model.c must gather embedding rows from the panels (rt_embedding_packed with
the target's panel width) and never call the row-major [N,K] linear.  Then
the Llama built for the host's SIMD target runs (one call and incremental)
and tfc --interpret runs on the same -O2 graph: both within 1e-4 x max|ref|
of the PyTorch reference.
"""
import argparse
import os
import platform
import re
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "families"))
import torch  # noqa: E402
from check_model import TOKENS, compare, make_case, run  # noqa: E402

TARGETS = {"generic": (0, None), "x86-64-avx2": (16, "avx2"), "x86-64-avx512": (32, "avx512"),
           "aarch64-neon": (16, "neon")}


def host_target():
    """The SIMD target this machine runs, or None."""
    if platform.machine() in ("aarch64", "arm64"):
        return "aarch64-neon"
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return None
    return "x86-64-avx2" if re.search(r"\bavx2\b", flags) and re.search(r"\bfma\b", flags) else None


def compile_all(args, name, src):
    """-O2 --weights=file for every target; True when the sizes and calls are right."""
    sizes, ok = {}, True
    for target, (nr, suffix) in TARGETS.items():
        out = os.path.join(args.work, name, target, "model.c")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run([args.tfc, src, "-O2", "--target=" + target, "--weights=file", "--main", "-o", out])
        sizes[target] = os.path.getsize(out[:-2] + ".bin")
        text = open(out).read()
        if nr and not re.search(r"rt_embedding_packed\([^;]*, %d\);" % nr, text):
            print("FAIL %s %s: no embedding gathers from panels of %d" % (name, target, nr))
            ok = False
        if suffix and re.search(r"^  rt_linear_%s\(" % suffix, text, re.M):
            print("FAIL %s %s: a linear still reads a row-major [N,K] weight" % (name, target))
            ok = False
    for target, size in sizes.items():
        same = size == sizes["generic"]
        print("%s %s %s: weights file %d bytes (generic %d)" %
              ("ok" if same else "FAIL", name, target, size, sizes["generic"]))
        ok &= same
    return ok


def run_host(args, src, ref):
    """The host target's build and the interpreter against the reference."""
    target = host_target()
    if not target:
        print("note: no SIMD target runs here; only the interpreter is checked")
    ok, toks = True, " ".join(map(str, TOKENS))
    if target:
        c = os.path.join(args.work, "llama", target, "model.c")
        exe = c[:-2]
        run([args.cc] + shlex.split(args.cflags) + [c, "-o", exe, "-lm", "-lpthread"])
        run([exe, "-w", exe + ".bin", "--tokens", toks, "--logits", exe + ".f32"])
        ok &= compare(target + " one call", exe + ".f32", ref)
        run([exe, "-w", exe + ".bin", "--tokens", toks, "--incremental", "--logits",
             exe + "_inc.f32"])
        ok &= compare(target + " incremental", exe + "_inc.f32", ref)
    out = os.path.join(args.work, "interp.f32")
    run([args.tfc, src, "-O2", "--target=" + (target or "x86-64-avx2"), "--interpret",
         "--tokens", toks, "--logits", out])
    return ok & compare("interpreter -O2", out, ref)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--work", "--gpt2"):
        ap.add_argument(a, required=a in ("--tfc", "--cc", "--work"), default="")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    src, ref_fn, _ = make_case("llama_gqa_tied", os.path.join(args.work, "in"))
    ok = compile_all(args, "llama", src)
    if args.gpt2:
        ok &= compile_all(args, "gpt2", os.path.join(args.gpt2, "model.yaml"))
    ok &= run_host(args, src, ref_fn(TOKENS))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
