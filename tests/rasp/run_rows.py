#!/usr/bin/env python3
"""Runs RASP reference rows through tfc, both ways, and compares the output.

Each row is {"program", "source", "input", "output"} (specs/rasp/*.jsonl, or
rows made by own_programs.py).  Every distinct program is written to a .rasp
file once; then
  --path interp   runs `tfc prog.rasp --interpret TOK...` per row;
  --path c        emits `tfc prog.rasp -o prog.c` per program, compiles them
                  all as one C file with a main that picks a program by name,
                  then runs `./all_programs PROG TOK...` per row (the --main
                  driver itself is covered by cli.sh).
Outputs compare value by value: ints, bools and strings exactly, floats with a
relative tolerance of 1e-9 (and they must print as floats).  A row whose
output is null must fail: exit status 1, an error on stderr, nothing on stdout.
Prints a summary line "PATH: P/N rows passed" and exits 1 on any failure.
"""
import argparse
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


def build_driver(a, names, failures):
    """All generated programs in one C file with a main that picks one by name
    (`./all_programs NAME TOK...`): one compiler run for the whole suite."""
    lines = [f'#include "{n}.c"' for n in names]
    lines += ["", "static const struct {", "  const char *name;",
              "  int (*run)(const char *const *, int, FILE *);", "  const char *(*last_error)(void);",
              "} programs[] = {"]
    lines += [f'  {{"{n}", {n}_run, {n}_last_error}},' for n in names]
    lines += ["};", "", "int main(int argc, char **argv) {",
              "  for (size_t k = 0; argc > 1 && k < sizeof programs / sizeof *programs; k++) {",
              "    if (strcmp(argv[1], programs[k].name)) continue;",
              "    if (programs[k].run((const char *const *)argv + 2, argc - 2, stdout) == 0) return 0;",
              '    fprintf(stderr, "%s: error: %s\\n", argv[1], programs[k].last_error());',
              "    return 1;", "  }", "  return 2;", "}", ""]
    src = os.path.join(a.work, "all_programs.c")
    with open(src, "w") as f:
        f.write("\n".join(lines))
    binary = os.path.join(a.work, "all_programs")
    rc, out, err = run([a.cc] + shlex.split(a.cflags) + [src, "-o", binary, "-lm"], 600)
    if rc != 0:
        failures.append(f"the generated C does not build:\n{err[:3000]}")
        return None
    return binary


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
    exe = {}
    for source, (name, k) in programs.items():
        path = os.path.join(a.work, f"{name}.rasp")
        with open(path, "w") as f:
            f.write(source)
        if a.path == "c":
            rc, out, err = run([a.tfc, path, "-o", os.path.join(a.work, f"{name}.c")])
            exe[source] = (rc, name, err)
        else:
            exe[source] = (0, path, "")
    if a.path == "c":
        driver = build_driver(a, [name for rc, name, err in exe.values() if rc == 0], failures)
    passed = 0
    for row in rows:
        tokens = [str(t) for t in row["input"]]
        build_rc, target, build_err = exe[row["source"]]
        if a.path == "c":
            if build_rc != 0:   # rejected at compile time: counts as the clean error
                rc, out, err = build_rc, "", build_err
            elif not driver:
                continue
            else:
                rc, out, err = run([driver, target] + tokens)
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
