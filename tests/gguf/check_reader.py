"""check_reader.py — frontend/gguf.c reads what gguf-py wrote, value for value.

    check_reader.py --dump GGUF_DUMP --work DIR [--file F.gguf ...]

Writes a GGUF (gguf-py's GGUFWriter) holding every metadata value type (u8 ..
f64, bool, strings with odd bytes, arrays of each, arrays of strings, an empty
array), general.alignment 64 and tensors of several types and ranks; the same
file with its version field set to 2; then `gguf_dump meta` on each (and on
every --file given, e.g. SmolLM2) must print exactly what gguf-py's GGUFReader
sees.  Needs the project's venv (scripts/install-python-deps).
"""
import argparse
import os
import subprocess
import sys

try:
    import numpy as np
    import gguf
except ImportError as e:
    sys.exit("check_reader.py: %s: run scripts/install-python-deps (the project's .venv)" % e)

VT = gguf.GGUFValueType


def esc(b):
    if isinstance(b, str):
        b = b.encode()
    return "".join(chr(c) if 0x20 < c < 0x7f and c != 0x5c else "\\x%02x" % c for c in bytes(b))


def scalar_text(vtype, x):
    if vtype in (VT.FLOAT32, VT.FLOAT64):
        return "%.17g" % float(x)
    if vtype == VT.BOOL:
        return "true" if bool(x) else "false"
    return str(int(x))


NAMES = {VT.UINT8: "u8", VT.INT8: "i8", VT.UINT16: "u16", VT.INT16: "i16", VT.UINT32: "u32",
         VT.INT32: "i32", VT.FLOAT32: "f32", VT.BOOL: "bool", VT.STRING: "string",
         VT.ARRAY: "array", VT.UINT64: "u64", VT.INT64: "i64", VT.FLOAT64: "f64"}


def expected(path):
    r = gguf.GGUFReader(path)
    lines = ["version %d" % int(r.fields["GGUF.version"].parts[-1][0]),
             "alignment %d" % r.alignment, "data_offset %d" % r.data_offset]
    for key, f in r.fields.items():
        if key.startswith("GGUF."):
            continue
        t = f.types[0]
        if t == VT.ARRAY:
            et = f.types[1] if len(f.types) > 1 else None
            items = [f.parts[i] for i in f.data]
            if et is None:   # an empty array: gguf-py keeps the element type in parts
                et = VT(int(f.parts[-2][0]))
            if et == VT.STRING:
                vals = [esc(bytes(p)) for p in items]
            else:
                vals = [scalar_text(et, p[0]) for p in items]
            lines.append(" ".join(["kv", key, "array", NAMES[et], str(len(items))] + vals))
        elif t == VT.STRING:
            lines.append("kv %s string %s" % (key, esc(bytes(f.parts[-1]))))
        else:
            lines.append("kv %s %s %s" % (key, NAMES[t], scalar_text(t, f.parts[-1][0])))
    for t in r.tensors:
        ne = ",".join(str(int(x)) for x in t.shape)
        lines.append("tensor %s %s %s %d %d" % (t.name, t.tensor_type.name, ne,
                                               t.data_offset - r.data_offset, t.n_bytes))
    return lines


def write_sample(path):
    w = gguf.GGUFWriter(path, "llama")
    w.data_alignment = 64
    w.add_uint32("general.alignment", 64)
    w.add_uint8("t.u8", 255)
    w.add_int8("t.i8", -128)
    w.add_uint16("t.u16", 65535)
    w.add_int16("t.i16", -32768)
    w.add_uint32("t.u32", 4294967295)
    w.add_int32("t.i32", -2147483648)
    w.add_float32("t.f32", 1.0e-5)
    w.add_uint64("t.u64", 18446744073709551615)
    w.add_int64("t.i64", -9223372036854775808)
    w.add_float64("t.f64", 3.141592653589793)
    w.add_bool("t.bool_true", True)
    w.add_bool("t.bool_false", False)
    w.add_string("t.string", "h\u00e9llo w\u00f6rld \\ \n\t\u4e2d\u6587 \U0001F600")
    w.add_string("t.empty_string", "")
    w.add_array("t.strings", ["a", "", "\u0120the", "<|im_start|>", "x y"])
    w.add_array("t.empty", [])
    w.add_key_value("t.u8s", [0, 1, 254, 255], VT.ARRAY, sub_type=VT.UINT8)
    w.add_key_value("t.i16s", [-32768, 0, 32767], VT.ARRAY, sub_type=VT.INT16)
    w.add_key_value("t.i32s", [-1, 0, 7, 2147483647], VT.ARRAY, sub_type=VT.INT32)
    w.add_key_value("t.u64s", [0, 18446744073709551615], VT.ARRAY, sub_type=VT.UINT64)
    w.add_key_value("t.f32s", [0.5, -2.25, 1e-30], VT.ARRAY, sub_type=VT.FLOAT32)
    w.add_key_value("t.f64s", [0.1, -1e300], VT.ARRAY, sub_type=VT.FLOAT64)
    w.add_key_value("t.bools", [True, False, True], VT.ARRAY, sub_type=VT.BOOL)
    rng = np.random.default_rng(1)
    w.add_tensor("a.f32", rng.standard_normal((3, 5)).astype(np.float32))
    w.add_tensor("b.f16", rng.standard_normal((7,)).astype(np.float16))
    w.add_tensor("c.4d", rng.standard_normal((2, 1, 3, 4)).astype(np.float32))
    q = gguf.quants.quantize(rng.standard_normal((2, 64)).astype(np.float32), gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("d.q8_0", q, raw_shape=q.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def check(dump, path):
    p = subprocess.run([dump, "meta", path], capture_output=True)
    if p.returncode:
        print("FAIL %s: gguf_dump exit %d: %s" % (path, p.returncode, p.stderr.decode()))
        return False
    got = p.stdout.decode().splitlines()
    want = expected(path)
    bad = [(g, w) for g, w in zip(got, want) if g != w]
    if bad or len(got) != len(want):
        print("FAIL %s: %d of %d lines differ (%d vs %d lines)" % (path, len(bad), len(want), len(got), len(want)))
        for g, w in bad[:5]:
            print("  tfc:    %s\n  gguf-py: %s" % (g[:300], w[:300]))
        return False
    print("ok %s: %d metadata pairs and tensors agree" % (os.path.basename(path), len(want) - 3))
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--file", action="append", default=[])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    v3 = os.path.join(args.work, "sample_v3.gguf")
    v2 = os.path.join(args.work, "sample_v2.gguf")
    write_sample(v3)
    data = bytearray(open(v3, "rb").read())
    data[4:8] = (2).to_bytes(4, "little")
    open(v2, "wb").write(data)
    ok = all([check(args.dump, f) for f in [v3, v2] + args.file])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
