#!/usr/bin/env python3
"""A small mutation fuzzer for the RASP frontend (seeded, so deterministic).

Mutates the shared programs and our own (byte deletions, insertions of syntax
characters or random bytes, duplicated and swapped slices) and runs each
mutant through `tfc --interpret` and `tfc -o`; likewise mutants of the textual
IR of two programs through `tfc X.tir -o`.  The exit status must be 0 or 1,
with nothing from a sanitizer and no crash.  Inputs that once broke tfc are
kept in tests/rasp/fuzz_regress/ and replayed first.
"""
import os
import random
import subprocess
import sys

tfc, specs, here, work = sys.argv[1:5]
count = int(sys.argv[5]) if len(sys.argv) > 5 else 150
os.makedirs(work, exist_ok=True)
sys.path.insert(0, here)
import own_programs  # noqa: E402

seeds = [p[2] for p in own_programs.PROGRAMS]
prog_dir = os.path.join(specs, "programs")
for name in sorted(os.listdir(prog_dir)):
    with open(os.path.join(prog_dir, name)) as f:
        seeds.append(f.read())
seeds = [s.encode() for s in seeds]
PIECES = [b"(", b")", b"[", b"]", b"{", b"}", b",", b";", b"=", b"==", b"!=", b"select(", b"aggregate(",
          b"def f(x) {", b"return", b"for x in", b"if", b"else", b"and", b"not", b"-", b"^", b"\"", b"#",
          b"1.5", b"0", b"tokens", b"indices", b"length", b"\x00", b"\xff", b"\n"]


def mutate(r, data):
    for _ in range(r.randint(1, 4)):
        i = r.randrange(len(data) + 1)
        op = r.randrange(4)
        if op == 0 and data:
            data = data[:i] + data[i + r.randint(1, 8):]
        elif op == 1:
            data = data[:i] + r.choice(PIECES) + data[i:]
        elif op == 2:
            data = data[:i] + bytes([r.randrange(256)]) + data[i:]
        else:
            j = r.randrange(len(data) + 1)
            a, b = min(i, j), max(i, j)
            data = data[:a] + data[a:b] * 2 + data[b:]
    return data


cases = []
regress = os.path.join(here, "fuzz_regress")
if os.path.isdir(regress):
    for name in sorted(os.listdir(regress)):
        with open(os.path.join(regress, name), "rb") as f:
            cases.append((name, f.read()))
r = random.Random(20261127)
for k in range(count):
    cases.append((f"mutant{k}.rasp", mutate(r, r.choice(seeds))))

# the textual IR of RASP programs (rasp="..." attributes included), mutated too
tir_seeds = []
for prog in ("most_freq", "dyck1"):
    tir = os.path.join(work, prog + ".tir")
    subprocess.run([tfc, os.path.join(prog_dir, prog + ".rasp"), "--emit=ir", "-o", tir], check=True)
    with open(tir, "rb") as f:
        tir_seeds.append(f.read())
for k in range(count // 2):
    cases.append((f"tir_mutant{k}.tir", mutate(r, r.choice(tir_seeds))))

bad = 0
for name, data in cases:
    path = os.path.join(work, name if name.endswith((".rasp", ".tir")) else name + ".rasp")
    with open(path, "wb") as f:
        f.write(data)
    runs = [[tfc, path, "-o", os.path.join(work, "m.c")]]
    if path.endswith(".rasp"):
        runs.append([tfc, path, "--interpret", "a", "b", "1"])
    for cmd in runs:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode not in (0, 1) or "Sanitizer" in err or "runtime error:" in err:
            bad += 1
            print(f"FAIL {path}: exit {p.returncode}\n{err[:1500]}")
print(f"fuzz: {len(cases) - bad}/{len(cases)} mutants handled cleanly")
sys.exit(1 if bad else 0)
