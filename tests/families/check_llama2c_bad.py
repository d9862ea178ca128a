"""check_llama2c_bad.py — malformed llama2.c checkpoints are bad input, not crashes.

    check_llama2c_bad.py --tfc TFC --work DIR

Each case is a small checkpoint with one defect (truncated, header sizes zero or
negative or huge, heads that do not divide, trailing bytes, a folder named
like a checkpoint: "not a regular file").  tfc must exit
with status 1, print "PATH: error: ..." naming the checkpoint first, and write
no output file.  The undamaged checkpoint must compile (so the test can fail).
"""
import argparse
import os
import struct
import subprocess
import sys

GOOD = (8, 12, 1, 2, 1, 10, 4)   # dim, hidden, layers, heads, kv_heads, vocab, seq_len


def floats(h, shared=True):
    dim, hidden, L, heads, kv, vocab, seq = h
    kvd = dim * kv // heads
    n = (abs(vocab) * dim + L * (2 * dim + 2 * dim * dim + 2 * kvd * dim + 3 * dim * hidden)
         + dim + seq * dim // heads)
    return n + (0 if shared else abs(vocab) * dim)


def checkpoint(h, extra=0, cut=0):
    data = struct.pack("<7i", *h) + struct.pack("<f", 0.5) * (floats(GOOD) + extra)
    return data[:len(data) - cut] if cut else data


CASES = {
    "good": checkpoint(GOOD),
    "empty": b"",
    "short_header": checkpoint(GOOD)[:20],
    "truncated": checkpoint(GOOD, cut=100),
    "trailing_bytes": checkpoint(GOOD, extra=3),
    "zero_dim": checkpoint((0,) + GOOD[1:]),
    "negative_layers": checkpoint(GOOD[:2] + (-1,) + GOOD[3:]),
    "zero_heads": checkpoint(GOOD[:3] + (0,) + GOOD[4:]),
    "zero_vocab": checkpoint(GOOD[:5] + (0,) + GOOD[6:]),
    "negative_seq_len": checkpoint(GOOD[:6] + (-4,)),
    "huge_dim": checkpoint((1 << 30,) + GOOD[1:]),
    "heads_do_not_divide_dim": checkpoint(GOOD[:3] + (3, 1) + GOOD[5:]),
    "kv_heads_do_not_divide_heads": checkpoint(GOOD[:3] + (4, 3) + GOOD[5:]),
    "more_kv_heads_than_heads": checkpoint(GOOD[:4] + (4,) + GOOD[5:]),
    "odd_head_size": checkpoint((6,) + GOOD[1:]),
    "separate_classifier_missing": checkpoint(GOOD[:5] + (-10,) + GOOD[6:]),
    "folder": None,   # a directory where the checkpoint should be
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    failures = 0
    for name, data in CASES.items():
        bin_path = os.path.join(args.work, name + ".bin")
        yaml = os.path.join(args.work, name + ".yaml")
        out = os.path.join(args.work, name + ".c")
        for p in (out, out[:-2] + ".h"):
            if os.path.exists(p):
                os.remove(p)
        if data is None:
            os.makedirs(bin_path, exist_ok=True)
        else:
            with open(bin_path, "wb") as f:
                f.write(data)
        with open(yaml, "w") as f:
            f.write("tfc: 1\nname: bad\nfamily: llama\nweights: %s.bin\nweights_format: llama2c\n"
                    % name)
        p = subprocess.run([args.tfc, yaml, "-o", out], capture_output=True, text=True)
        first = (p.stderr.splitlines() or [""])[0]
        if name == "good":
            ok = p.returncode == 0 and os.path.exists(out)
        else:
            ok = (p.returncode == 1 and not os.path.exists(out) and
                  first.split(": error: ")[0].endswith(name + ".bin") and ": error: " in first and
                  (data is not None or "not a regular file" in first))
        print("%s: %-30s rc=%d  %s" % ("ok" if ok else "FAIL", name, p.returncode, first))
        failures += not ok
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
