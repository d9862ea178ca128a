#!/usr/bin/env python3
"""Bad RASP programs (tests/rasp/bad/*.rasp, plus a few generated here) must be
rejected cleanly: exit status 1 (never a crash), stderr starting with the file
name and holding the message the file's first line expects ("# expect: ..."),
and no output file — both when compiling to C and with --interpret.
"""
import os
import subprocess
import sys

tfc, bad_dir, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)


def generated():
    """Cases too big to keep as files: deep nesting, long chains, huge inputs."""
    # issue 12 finding 8: bison's "memory exhausted" becomes a limit at the place
    yield "deep_parens", "x = " + "(" * 20000 + "1" + ")" * 20000 + ";\n", ":1:10000: error: nesting too deep (limit 10000)"
    yield "deep_minus", "x = " + "-" * 20000 + "indices;\n", ":1:10000: error: nesting too deep (limit 10000)"
    yield "deep_unary", "x = " + "-" * 5000 + "indices;\n", "nested too deeply"
    yield "deep_calls", "x = " + "round(" * 2000 + "indices" + ")" * 2000 + ";\n", "nested too deeply"
    yield "long_string", 'x = tokens == "' + "a" * 100000 + '" + 1;\n', "cannot apply '+' to string and int"
    yield "long_chain_error", "x = indices" + " + 1" * 3000 + " + tokens;\n", "cannot apply '+' to int and string"
    yield "unrolled_too_far", "x = 0;\nfor i in range(30000) { x = x + indices; }\n", "program too large"
    yield "garbage", "".join(chr(c) for c in range(1, 256) if c not in (10, 13, 35)) + "\n", "error"


cases = []
for name in sorted(os.listdir(bad_dir)):
    path = os.path.join(bad_dir, name)
    with open(path, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
    cases.append((path, first.split("# expect:", 1)[1].strip()))
for name, text, expect in generated():
    path = os.path.join(work, name + ".rasp")
    with open(path, "w", encoding="latin-1") as f:
        f.write(text)
    cases.append((path, expect))

failures = 0
for path, expect in cases:
    out_c = os.path.join(work, "out.c")
    for mode in ("compile", "interpret"):
        if os.path.exists(out_c):
            os.remove(out_c)
        cmd = [tfc, path, "-o", out_c] if mode == "compile" else [tfc, path, "--interpret", "a", "b"]
        p = subprocess.run(cmd, capture_output=True, timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        problems = []
        if p.returncode != 1:
            problems.append(f"exit {p.returncode}")
        if not err.startswith(path + ":"):
            problems.append("stderr does not start with the file name")
        if expect not in err:
            problems.append(f"message {expect!r} missing")
        if os.path.exists(out_c) or p.stdout:
            problems.append("output written")
        if problems:
            failures += 1
            print(f"FAIL {os.path.basename(path)} ({mode}): {', '.join(problems)}\n{err[:600]}")
print(f"bad programs: {len(cases) * 2 - failures}/{len(cases) * 2} rejections as expected")
sys.exit(1 if failures else 0)
