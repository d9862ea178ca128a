#!/usr/bin/env python3
"""check_caller_out.py — the graph output goes straight into the caller's buffer
(issue 6): on the tiny GPT-2 example, for every target and at -O0 and -O2,

  - the generated forward has no copy of the logits (no `memcpy(out, ...)`), no
    state buffer for them, and the lm head's kernel call writes to `out`;
  - the header comment says the output lives in the caller's buffer;
  - the memory plan (-O2: --emit=ir) marks the logits `@out` and places every
    other value exactly where an independent first-fit model of the plan says
    (64-byte aligned, node order, an output placed before its node's inputs are
    released); the arena (`plan=`, `--stats`, the header comment) is that model's
    size, and smaller than the logits alone: they are no longer in it.  The same
    model with the logits in the arena gives the size before this change, and the
    bytes saved are printed.

    check_caller_out.py --tfc TFC --make-weights MW --yaml examples/tiny_gpt2/model.yaml --work DIR
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ALIGN = 64
DTYPE_BYTES = {"f32": 4, "f64": 8, "i32": 4, "bool": 1}
TARGETS = ["generic", "x86-64-avx2", "x86-64-avx512", "aarch64-neon"]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)


def align(x):
    return (x + ALIGN - 1) // ALIGN * ALIGN


def run(args, cwd):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (r.returncode, " ".join(args), r.stderr))
    return r.stdout


NODE = re.compile(r"^\s*%([\w.]+) : (\w+)\[([^\]]*)\]( @(\w+))? = (\w+)(.*)$")


def parse_ir(text):
    """(max_seq, plan bytes, nodes [(name, bytes, where, inputs)], outputs) from --emit=ir."""
    head = text.splitlines()[0]
    max_seq = int(re.search(r"max_seq=(\d+)", head).group(1))
    m = re.search(r"plan=(\d+)", head)
    plan = int(m.group(1)) if m else 0
    nodes, outputs = [], []
    for line in text.splitlines():
        if line.strip().startswith("output "):
            outputs += re.findall(r"%([\w.]+)", line)
        m = NODE.match(line)
        if not m:
            continue
        name, dtype, dims, where, rest = m.group(1), m.group(2), m.group(3), m.group(5), m.group(7)
        n = 1
        for d in dims.split(","):
            n *= max_seq if d == "T" else int(d)
        operands, rest = [], rest.strip()
        while True:   # operands come first: %a, %b, _ (absent), ...; then the attributes
            m = re.match(r"(%([\w.]+)|_)(,\s*)?", rest)
            if not m:
                break
            if m.group(2):
                operands.append(m.group(2))
            rest = rest[m.end():]
            if not m.group(3):
                break
        nodes.append((name, align(n * DTYPE_BYTES[dtype]), where, operands))
    return max_seq, plan, nodes, outputs


def first_fit(nodes, outputs, in_arena):
    """Offsets and arena size of the greedy plan; in_arena(name) says who gets bytes."""
    last = {}
    for i, (name, _, _, operands) in enumerate(nodes):
        last[name] = i
        for o in operands:
            if o in last:
                last[o] = i
    for o in outputs:
        last[o] = len(nodes)
    live, offsets, total = [], {}, 0
    for i, (name, size, _, _) in enumerate(nodes):
        if in_arena(name):
            at = 0
            for off, sz, _ in sorted(live):   # the lowest aligned offset that fits
                if at + size <= off:
                    break
                at = max(at, off + sz)
            offsets[name] = at
            live.append((at, size, last[name]))
            total = max(total, at + size)
        live = [b for b in live if b[2] > i]
    return offsets, total


def check_plan(ir, tag):
    max_seq, plan, nodes, outputs = parse_ir(ir)
    out = outputs[0]
    where = {name: w for name, _, w, _ in nodes}
    check(where.get(out) == "out", "%s: output %%%s is @%s, not @out" % (tag, out, where.get(out)))
    offsets, total = first_fit(nodes, outputs, lambda n: n != out)
    for name, _, w, _ in nodes:
        if name != out:
            check(w is not None and int(w) == offsets[name],
                  "%s: %%%s @%s, the first-fit model says @%d" % (tag, name, w, offsets[name]))
    check(plan == total, "%s: plan=%d, the first-fit model says %d" % (tag, plan, total))
    out_bytes = [size for name, size, _, _ in nodes if name == out][0]
    check(plan < out_bytes, "%s: arena %d holds the %d-byte output" % (tag, plan, out_bytes))
    _, before = first_fit(nodes, outputs, lambda n: True)
    print("%s: arena %d -> %d bytes (logits %d bytes at T = %d in the caller's buffer; "
          "%d saved)" % (tag, before, plan, out_bytes, max_seq, before - plan))
    return plan


def check_c(c, tag, plan):
    body = c[c.index("_forward(") :]
    check("memcpy(out" not in c, "%s: forward still copies the output into out" % tag)
    check(not re.search(r"float \*logits;", c), "%s: the state still has a logits buffer" % tag)
    check(not re.search(r"s->logits\b", c), "%s: the forward still names s->logits" % tag)
    check(re.search(r"\n  rt_\w+\(out, ", body) is not None,
          "%s: no kernel call writes to out" % tag)
    check("output logits [T,512]: the caller's buffer" in c,
          "%s: the header comment does not say the logits live in the caller's buffer" % tag)
    if plan is not None:
        m = re.search(r"activation arena bytes (\d+)", c)
        check(m and int(m.group(1)) == plan, "%s: header arena %s != plan %d"
              % (tag, m and m.group(1), plan))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc", required=True)
    ap.add_argument("--make-weights", required=True)
    ap.add_argument("--yaml", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    tfc = os.path.abspath(a.tfc)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    shutil.copy(a.yaml, os.path.join(a.work, "model.yaml"))
    run([os.path.abspath(a.make_weights), "tiny_gpt2.safetensors", "512", "64", "64", "2", "7"], a.work)
    for target in TARGETS:
        tag = "-O2 --target=" + target
        run([tfc, "model.yaml", "-O2", "--target=" + target, "--emit=ir", "-o", "m.ir"], a.work)
        plan = check_plan(open(os.path.join(a.work, "m.ir")).read(), tag)
        stats = run([tfc, "model.yaml", "-O2", "--target=" + target, "--stats", "-o", "m.c"], a.work)
        m = re.search(r"activation arena bytes (\d+)", stats)
        check(m and int(m.group(1)) == plan, "%s: --stats arena %s != plan %d"
              % (tag, m and m.group(1), plan))
        check_c(open(os.path.join(a.work, "m.c")).read(), tag, plan)
    run([tfc, "model.yaml", "-O0", "--target=generic", "-o", "m0.c"], a.work)
    check_c(open(os.path.join(a.work, "m0.c")).read(), "-O0", None)
    if failures:
        sys.exit("%d failure(s)" % len(failures))
    print("caller_out: ok (%d targets at -O2, and -O0)" % len(TARGETS))


if __name__ == "__main__":
    main()
