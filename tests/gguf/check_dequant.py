"""check_dequant.py — tfc's dequantization (frontend/gguf_quants.c) against
gguf-py's gguf.quants.dequantize, bit for bit.

    check_dequant.py --dump GGUF_DUMP --work DIR [--real F.gguf]

For every type tfc reads (F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q4_K Q5_K
Q6_K) it writes 64 blocks of random bytes whose half-precision scales are set
to random finite values (normal, subnormal, zero, negative), stores them in a
GGUF file and compares `gguf_dump values` with gguf-py: every float must have
the same bits.  With --real it compares every tensor of a real file through a
checksum of the bits (gguf_dump sums; the formula is in gguf_dump.c).
"""
import argparse
import os
import subprocess
import sys

try:
    import numpy as np
    import gguf
except ImportError as e:
    sys.exit("check_dequant.py: %s: run scripts/install-python-deps (the project's .venv)" % e)

Q = gguf.GGMLQuantizationType
# type -> byte offsets of its half-precision scale fields within a block
HALVES = {Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0],
          Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208]}
N_BLOCKS = 64


def random_halves(rng, n):
    """Finite halves: mostly normal, some subnormal, zero and large."""
    h = (rng.standard_normal(n) * np.exp(rng.uniform(-12, 6, n))).astype(np.float16)
    h[::7] = 0
    h[1::11] = np.float16(3e-6) * rng.integers(-5, 5, h[1::11].size)   # subnormal
    h[~np.isfinite(h)] = 1
    return h


def sample(rng, qtype):
    """(raw bytes [rows, bytes per row], shape in elements) for one type."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    if qtype == Q.F32:
        x = (rng.standard_normal(N_BLOCKS * 8) * 10).astype(np.float32)
        return x.view(np.uint8).reshape(8, -1)
    if qtype == Q.F16:
        return random_halves(rng, N_BLOCKS * 8).view(np.uint8).reshape(8, -1)
    if qtype == Q.BF16:
        bits = (rng.standard_normal(N_BLOCKS * 8).astype(np.float32).view(np.uint32) >> 16)
        return bits.astype(np.uint16).view(np.uint8).reshape(8, -1)
    raw = rng.integers(0, 256, (N_BLOCKS, size), dtype=np.uint8)
    for off in HALVES[qtype]:
        raw[:, off:off + 2] = random_halves(rng, N_BLOCKS).view(np.uint8).reshape(-1, 2)
    return raw.reshape(4, -1)


def bits_equal(a, b):
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def check_random(dump, work):
    rng = np.random.default_rng(11)
    path = os.path.join(work, "types.gguf")
    w = gguf.GGUFWriter(path, "llama")
    raws = {}
    for qtype in [Q.F32, Q.F16, Q.BF16] + list(HALVES):
        raws[qtype] = sample(rng, qtype)
        w.add_tensor(qtype.name, raws[qtype], raw_shape=raws[qtype].shape, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    ok = True
    for qtype, raw in raws.items():
        out = os.path.join(work, qtype.name + ".f32")
        p = subprocess.run([dump, "values", path, qtype.name, out], capture_output=True, text=True)
        want = gguf.quants.dequantize(raw, qtype).astype(np.float32).reshape(-1)
        got = np.fromfile(out, dtype=np.float32) if p.returncode == 0 else None
        same = got is not None and bits_equal(got, want)
        diff = int(np.sum(got.view(np.uint32) != want.view(np.uint32))) if got is not None and got.shape == want.shape else -1
        print("%s %-5s %6d values%s" % ("ok" if same else "FAIL", qtype.name, want.size,
                                        "" if same else " (%d differ) %s" % (diff, p.stderr)))
        ok &= same
    return ok


def checksum(x):
    bits = x.reshape(-1).view(np.uint32).astype(np.uint64)
    k = np.arange(bits.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(bits * (np.uint64(2654435761) * k + np.uint64(1)), dtype=np.uint64))


def check_real(dump, path):
    p = subprocess.run([dump, "sums", path], capture_output=True, text=True)
    if p.returncode:
        print("FAIL %s: %s" % (path, p.stderr))
        return False
    got = {line.split()[0]: line.split()[1:] for line in p.stdout.splitlines()}
    r = gguf.GGUFReader(path)
    bad, types = 0, {}
    for t in r.tensors:
        want = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        status, h = got.get(t.name, ["missing", ""])
        if status != "ok" or int(h, 16) != checksum(want):
            bad += 1
            print("FAIL %s (%s)" % (t.name, t.tensor_type.name))
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    print("%s %s: %d tensors (%s) bit-identical to gguf-py" % (
        "ok" if not bad else "FAIL", os.path.basename(path), len(r.tensors) - bad,
        ", ".join("%d %s" % (n, k) for k, n in sorted(types.items()))))
    return bad == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--real", action="append", default=[])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = check_random(args.dump, args.work)
    for path in args.real:
        ok &= check_real(args.dump, path)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
