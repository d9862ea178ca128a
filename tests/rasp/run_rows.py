#!/usr/bin/env python3
"""Runs RASP reference rows through tfc, both ways, and compares the output.

Each row is {"program", "source", "input", "output"} (specs/rasp/*.jsonl, or
rows made by own_programs.py).  Every distinct program is written to a .rasp
file once; then
  --path interp   runs `tfc prog.rasp --interpret TOK...` per row;
  --path c        compiles `tfc prog.rasp -o prog.c --main` and the C once,
                  then runs `./prog TOK...` per row.
Outputs compare value by value: ints, bools and strings exactly, floats with a
relative tolerance of 1e-9 (and they must print as floats).  A row whose
output is null must fail: exit status 1, an error on stderr, nothing on stdout.
Prints a summary line "PATH: P/N rows passed" and exits 1 on any failure.
"""
import argparse
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys


def same_value(text, want):
    if isinstance(want, bool):
        return text == ("True" if want else "False")
    if isinstance(want, int):
        return text == str(want)
    if isinstance(want, float):
        if not any(c in text for c in ".en"):
            return False
        try:
            got = float(text)
        except ValueError:
            return False
        return abs(got - want) <= 1e-9 * max(1.0, abs(want))
    return text == want


def check_row(row, rc, out, err):
    want = row["output"]
    if want is None:
        if rc == 1 and out == "" and "error" in err:
            return None
        return f"expected a clean error (exit 1), got exit {rc}, stdout {out!r}, stderr {err[:200]!r}"
    if rc != 0:
        return f"exit {rc}: {err[:300]}"
    got = out.rstrip("\n").split(" ")
    if len(got) != len(want) or not all(same_value(g, w) for g, w in zip(got, want)):
        return f"got {out.strip()!r}, want {want!r}"
    return None


def run(cmd, timeout=60):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    return p.returncode, p.stdout, p.stderr


def load_rows(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc", required=True)
    ap.add_argument("--path", choices=["interp", "c"], required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cflags", default="-std=c11 -Wall -Wextra -Werror -O2")
    ap.add_argument("--work", required=True)
    ap.add_argument("--own", action="store_true", help="add the rows of own_programs.py")
    ap.add_argument("jsonl", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    rows = load_rows(a.jsonl)
    if a.own:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import own_programs
        rows += own_programs.rows()
    programs = {}
    for row in rows:
        programs.setdefault(row["source"], (row["program"], len(programs)))
    failures = []

    def prepare(item):
        source, (name, k) = item
        path = os.path.join(a.work, f"{name}.rasp")
        with open(path, "w") as f:
            f.write(source)
        if a.path != "c":
            return source, (0, path, "")
        c = os.path.join(a.work, f"{name}.c")
        binary = os.path.join(a.work, name)
        rc, out, err = run([a.tfc, path, "-o", c, "--main"])
        if rc == 0:
            rc, out, err2 = run([a.cc] + shlex.split(a.cflags) + [c, "-o", binary, "-lm"], 300)
            err += err2
            if rc != 0:
                failures.append(f"{name}: the generated C does not build:\n{err[:2000]}")
                rc = 99
        return source, (rc, binary, err)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:   # two cores
        exe = dict(pool.map(prepare, programs.items()))
    passed = 0
    for row in rows:
        tokens = [str(t) for t in row["input"]]
        build_rc, target, build_err = exe[row["source"]]
        if a.path == "c":
            if build_rc == 99:
                continue
            if build_rc != 0:   # rejected at compile time: counts as the clean error
                rc, out, err = build_rc, "", build_err
            else:
                rc, out, err = run([target] + tokens)
        else:
            rc, out, err = run([a.tfc, target, "--interpret"] + tokens)
        problem = check_row(row, rc, out, err)
        if problem:
            failures.append(f"{row['program']} {tokens}: {problem}")
        else:
            passed += 1
    for f in failures[:30]:
        print("FAIL", f)
    print(f"{a.path}: {passed}/{len(rows)} rows passed ({len(programs)} programs)")
    return 0 if passed == len(rows) and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
