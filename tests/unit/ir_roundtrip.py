#!/usr/bin/python3
"""ir_roundtrip.py — the textual IR is the interface: what --emit=ir prints
after any -O level, on any target, parses back to the same graph.

    ir_roundtrip.py --tfc TFC --make-weights MAKE_WEIGHTS --src SRCDIR --work DIR

For every family (GPT-2, Llama, llama2.c, BERT, a `family: graph` model.yaml,
RASP), every level -O0..-O3, and the SIMD targets whose kernels and panel
widths differ (x86-64-avx2, x86-64-avx512, aarch64-neon; RASP: host):

  1. print -> parse -> print is byte-identical:
       tfc X -On --emit=ir -o a.tir;  tfc a.tir -On --passes= --emit=ir -o b.tir
  2. print -> parse -> emit C gives the C of emitting directly, weights aside:
       tfc X -On -o direct.c  against  tfc a.tir -On --passes= -o text.c
     with the weights in a file (--weights=file): a parsed graph's constants are
     pseudo-random, so only the blob's checksum and the command line may differ.

Nothing runs the C: this checks what the text carries (packing, kernel ids,
fused epilogues, memory-plan offsets, notes, RASP facts), not the numbers.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "families"))
sys.path.insert(0, os.path.join(HERE, "..", "ref"))
from check_model import make_case  # noqa: E402

LEVELS = ["-O0", "-O1", "-O2", "-O3"]
TARGETS = ["x86-64-avx2", "x86-64-avx512", "aarch64-neon"]
failures = []


def tfc(args, what):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        failures.append("%s: tfc failed (%d): %s" % (what, p.returncode, p.stderr.strip()[:400]))
        return False
    return True


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def normalise(c_text, stem):
    """The C text with what legitimately differs masked: the command line,
    the output's own file names, and the weights blob's checksum."""
    c_text = re.sub(r"(?m)^ \* (command: |tfc ).*", " * command: -", c_text)   # nn, RASP headers
    c_text = c_text.replace(stem, "OUT")
    return re.sub(r"0x[0-9a-f]{16}u", "0xCHECKSUMu", c_text)


def check(model, name, level, target, work):
    tag = "%s %s %s" % (name, level, target or "host")
    base = os.path.join(work, "%s%s.%s" % (name, level, target or "host"))
    tflag = ["--target=" + target] if target else []
    if not tfc(args=[TFC, model, level, "--emit=ir", "-o", base + ".tir"] + tflag, what=tag + " emit ir"):
        return
    if not tfc([TFC, base + ".tir", level, "--passes=", "--emit=ir", "-o", base + ".again.tir"] + tflag,
               tag + " parse"):
        return
    if read(base + ".tir") != read(base + ".again.tir"):
        failures.append(tag + ": print -> parse -> print changed the text")
    direct, text = base + ".direct", base + ".text"
    if not (tfc([TFC, model, level, "--weights=file", "-o", direct + ".c"] + tflag, tag + " emit C")
            and tfc([TFC, base + ".tir", level, "--passes=", "--weights=file", "-o", text + ".c"] + tflag,
                    tag + " emit C from text")):
        return
    a = normalise(read(direct + ".c"), os.path.basename(direct))
    b = normalise(read(text + ".c"), os.path.basename(text))
    if a != b:
        diff = [(x, y) for x, y in zip(a.splitlines(), b.splitlines()) if x != y][:2]
        failures.append("%s: C from the text differs from the direct C: %s" % (tag, diff))


def models(work):
    """(name, input path) for every family."""
    gpt2 = os.path.join(work, "gpt2")
    os.makedirs(gpt2, exist_ok=True)
    subprocess.run([MAKE_WEIGHTS, os.path.join(gpt2, "tiny_gpt2.safetensors"), "512", "64", "64", "2", "7"],
                   check=True, capture_output=True)
    with open(os.path.join(SRC, "examples", "tiny_gpt2", "model.yaml")) as f:
        yaml = f.read()
    with open(os.path.join(gpt2, "model.yaml"), "w") as f:
        f.write(yaml)
    graph = os.path.join(work, "graph", "model.yaml")
    os.makedirs(os.path.dirname(graph), exist_ok=True)
    subprocess.run([TFC, os.path.join(gpt2, "model.yaml"), "--emit=yaml", "-o", graph], check=True)
    out = [("gpt2", os.path.join(gpt2, "model.yaml")), ("graph", graph)]
    for case in ("llama_gqa_tied", "llama2c_untied", "bert"):
        path, _, _ = make_case(case, os.path.join(work, case))
        out.append((case, path))
    return out


def main():
    global TFC, MAKE_WEIGHTS, SRC
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--make-weights", "--src", "--work"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    TFC, MAKE_WEIGHTS, SRC = args.tfc, args.make_weights, args.src
    os.makedirs(args.work, exist_ok=True)
    runs = 0
    for name, path in models(args.work):
        for level in LEVELS:
            for target in TARGETS:
                check(path, name, level, target, args.work)
                runs += 1
    for level in LEVELS:
        check(os.path.join(SRC, "examples", "rasp", "sort.rasp"), "rasp_sort", level, None, args.work)
        runs += 1
    for f in failures:
        print("FAIL: " + f)
    print("ir round trip: %d of %d (family, level, target) runs passed both checks"
          % (runs - len({f.split(":")[0] for f in failures}), runs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
