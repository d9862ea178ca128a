#!/usr/bin/python3
"""check_bad.py — malformed GGUF files are bad input, not crashes.

    check_bad.py --tfc TFC --work DIR [--case NAME]     run every case (or one)
    check_bad.py --write-seeds DIR                       the fuzzer's seeds (tests/fuzz/corpus/gguf)

The cases are made here, byte by byte (no gguf-py, no binary files in the
repository), from a tiny valid llama (width 8, 2 heads, 1 key/value head, 1
layer, vocabulary 10, context 4, F32) by breaking one thing each: truncation
at many points, huge counts and lengths, bad magic and versions, nested
arrays, unknown value and tensor types, misaligned and out-of-range offsets,
overlaps, duplicates, bad alignment, bad dimensions, partial blocks, wrong
shapes, unreadable types, bad metadata.  tfc must exit with status 1, print
"PATH: error: ..." first, with "at byte N" where the case says so (and the
message the case names), and write no output file.  The undamaged file must
compile (so the test can fail).
"""
import argparse
import os
import struct
import subprocess
import sys

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
T_F32, T_Q8_0, T_I8 = 0, 8, 24
DIM, HEADS, KV, HIDDEN, VOCAB, CTX = 8, 2, 1, 12, 10, 4


def gstr(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def value(vtype, v):
    fmt = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f", BOOL: "<?",
           U64: "<Q", I64: "<q", F64: "<d"}
    if vtype == STRING:
        return gstr(v)
    if vtype == ARRAY:
        etype, items = v
        return struct.pack("<IQ", etype, len(items)) + b"".join(value(etype, x) for x in items)
    return struct.pack(fmt[vtype], v)


def kv(key, vtype, v):
    return gstr(key) + struct.pack("<I", vtype) + value(vtype, v)


def base_kvs():
    return [("general.architecture", STRING, "llama"), ("llama.block_count", U32, 1),
            ("llama.context_length", U32, CTX), ("llama.embedding_length", U32, DIM),
            ("llama.feed_forward_length", U32, HIDDEN), ("llama.attention.head_count", U32, HEADS),
            ("llama.attention.head_count_kv", U32, KV), ("llama.rope.freq_base", F32, 10000.0),
            ("llama.attention.layer_norm_rms_epsilon", F32, 1e-5),
            ("tokenizer.ggml.tokens", ARRAY, (STRING, ["t%d" % i for i in range(VOCAB)]))]


def base_tensors():
    """(name, ne (row length first), type) of the tiny llama."""
    kvd = DIM // HEADS * KV
    t = [("token_embd.weight", [DIM, VOCAB]), ("output_norm.weight", [DIM])]
    for name, ne in (("attn_norm", [DIM]), ("attn_q", [DIM, DIM]), ("attn_k", [DIM, kvd]),
                     ("attn_v", [DIM, kvd]), ("attn_output", [DIM, DIM]), ("ffn_norm", [DIM]),
                     ("ffn_gate", [DIM, HIDDEN]), ("ffn_up", [DIM, HIDDEN]),
                     ("ffn_down", [HIDDEN, DIM])):
        t.append(("blk.0.%s.weight" % name, ne))
    return [(n, ne, T_F32) for n, ne in t]


def nbytes(ne, ttype):
    n = 1
    for d in ne:
        n *= d
    return n * 4 if ttype == T_F32 else n // 32 * 34 if ttype == T_Q8_0 else n


def gguf(kvs=None, tensors=None, version=3, magic=b"GGUF", alignment=32, n_kv=None,
         n_tensors=None, offsets=None, info_edit=None, data=True):
    """The file's bytes; every argument overrides one part of the valid file."""
    kvs = base_kvs() if kvs is None else kvs
    tensors = base_tensors() if tensors is None else tensors
    head = magic + struct.pack("<IQQ", version, len(tensors) if n_tensors is None else n_tensors,
                               len(kvs) if n_kv is None else n_kv)
    body = b"".join(k if isinstance(k, bytes) else kv(*k) for k in kvs)
    infos, offset, natural, datas = b"", 0, 0, []
    for i, (name, ne, ttype) in enumerate(tensors):
        off = offsets[i] if offsets and i < len(offsets) and offsets[i] is not None else offset
        info = gstr(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        info += struct.pack("<IQ", ttype, off)
        infos += info_edit(i, info) if info_edit else info
        size = nbytes(ne, ttype)
        datas.append((off, size))
        datas[-1] = (off, size) if off + size <= (1 << 32) else (offset, 0)
        offset = (offset + size + alignment - 1) // alignment * alignment   # the chain ignores overrides
        natural = offset
    out = head + body + infos
    out += bytes((-len(out)) % alignment)
    if data:
        end = max([o + s for o, s in datas if o + s <= natural] + [0])   # no room for wild offsets
        area = bytearray(end)
        for o, s in datas:   # 0.25 everywhere: finite, small
            if o + s <= end:
                area[o:o + s] = struct.pack("<f", 0.25) * (s // 4) + bytes(s % 4)
        out += bytes(area)
    return out


def with_kv(key, vtype, v):
    return [k for k in base_kvs() if k[0] != key] + [(key, vtype, v)]


def with_tensor(name, ne=None, ttype=None):
    return [(n, ne if n == name and ne else e, ttype if n == name and ttype is not None else t)
            for n, e, t in base_tensors()]


GOOD = gguf()
HEADER_END = 24


def cuts():
    """Truncations: every 37th byte through the metadata and tensor infos, and in the data."""
    return {"truncated_at_%d" % n: (GOOD[:n], "at byte") for n in
            list(range(4, len(GOOD) - 700, 37)) + [len(GOOD) - 500, len(GOOD) - 1]}


CASES = {
    # name: (bytes, what stderr must contain; None = must compile)
    "good": (GOOD, None),
    "empty": (b"", "truncated GGUF file"),
    "short_header": (GOOD[:20], "truncated GGUF file"),
    "bad_magic": (b"GGML" + GOOD[4:], "not a GGUF file (the magic is not \"GGUF\") at byte 0"),
    "version_1": (gguf(version=1), "GGUF version 1 is not supported (tfc reads versions 2 and 3) at byte 4"),
    "version_4": (gguf(version=4), "GGUF version 4 is not supported"),
    "big_endian_version": (gguf(version=3 << 24), "is not supported (tfc reads versions 2 and 3) at byte 4"),
    "version_2": (gguf(version=2), None),
    "huge_tensor_count": (gguf(n_tensors=1 << 62), "tensor count 4611686018427387904 cannot fit"),
    "huge_kv_count": (gguf(n_kv=(1 << 64) - 1), "metadata count 18446744073709551615 cannot fit"),
    "kv_count_too_large": (gguf(n_kv=len(base_kvs()) + 3), "at byte"),
    "tensor_count_too_large": (gguf(n_tensors=len(base_tensors()) + 1), "at byte"),
    "huge_key_length": (gguf(kvs=[struct.pack("<Q", (1 << 64) - 1) + b"x"] + base_kvs()),
                        "string length 18446744073709551615 runs past the end of the file"),
    "string_past_end": (gguf(kvs=base_kvs() + [gstr("general.name") +
                                               struct.pack("<IQ", STRING, 1 << 40)]),
                        "string length 1099511627776 runs past the end of the file"),
    "huge_array": (gguf(kvs=base_kvs() + [gstr("x.a") + struct.pack("<IIQ", ARRAY, U32, 1 << 61)]),
                   "array of 2305843009213693952 u32 elements runs past the end of the file"),
    "huge_string_array": (gguf(kvs=base_kvs() + [gstr("x.a") + struct.pack("<IIQ", ARRAY, STRING, 1 << 60)]),
                          "runs past the end of the file"),
    "nested_array": (gguf(kvs=base_kvs() + [gstr("x.nested") + struct.pack("<IIQ", ARRAY, ARRAY, 1)
                                            + struct.pack("<IQ", U8, 1) + b"\x01"]),
                     "metadata key 'x.nested': nested arrays are not supported at byte"),
    "unknown_value_type": (gguf(kvs=base_kvs() + [gstr("x.t") + struct.pack("<I", 13) + b"\0" * 8]),
                           "x.t: unknown metadata value type 13 at byte"),
    "unknown_array_type": (gguf(kvs=base_kvs() + [gstr("x.t") + struct.pack("<IIQ", ARRAY, 99, 0)]),
                           "array element type: unknown metadata value type 99 at byte"),
    "key_with_nul": (gguf(kvs=base_kvs() + [("x.a\0b", U8, 1)]), "metadata key contains a NUL byte at byte"),
    "duplicate_key": (gguf(kvs=base_kvs() + [("llama.block_count", U32, 1)]),
                      "duplicate metadata key 'llama.block_count' at byte"),
    "alignment_not_power_of_two": (gguf(kvs=base_kvs() + [("general.alignment", U32, 24)], alignment=24),
                                   "general.alignment must be a u32 power of two at byte"),
    "alignment_zero": (gguf(kvs=base_kvs() + [("general.alignment", U32, 0)]),
                       "general.alignment must be a u32 power of two at byte"),
    "alignment_wrong_type": (gguf(kvs=base_kvs() + [("general.alignment", U64, 32)]),
                             "general.alignment must be a u32 power of two at byte"),
    "alignment_64": (gguf(kvs=base_kvs() + [("general.alignment", U32, 64)], alignment=64), None),
    "unknown_tensor_type": (gguf(tensors=with_tensor("output_norm.weight", ttype=99)),
                            "tensor 'output_norm.weight': unknown tensor type 99 at byte"),
    "misaligned_offset": (gguf(offsets=[None, 4]),
                          "tensor 'output_norm.weight': data offset 4 is not a multiple of the alignment 32 at byte"),
    "tensor_outside_data": (gguf(offsets=[None, 1 << 40]), "are outside the data area"),
    "tensor_offset_huge": (gguf(offsets=[None, (1 << 64) - 32]), "are outside the data area"),
    "tensor_past_end": (gguf()[:-40], "are outside the data area"),
    "tensors_overlap": (gguf(offsets=[0, 0]), "overlap in the data area at byte"),
    "duplicate_tensor": (gguf(tensors=base_tensors() + [("output_norm.weight", [DIM], T_F32)]),
                         "duplicate tensor name 'output_norm.weight' at byte"),
    "zero_dims": (gguf(info_edit=lambda i, b: b if i != 1 else gstr("output_norm.weight") + struct.pack("<IIQ", 0, 0, 0)),
                  "tensor 'output_norm.weight': 0 dimensions (tfc reads 1 to 4) at byte"),
    "five_dims": (gguf(tensors=with_tensor("output_norm.weight", ne=[DIM, 1, 1, 1, 1])),
                  "5 dimensions (tfc reads 1 to 4) at byte"),
    "zero_dim": (gguf(tensors=with_tensor("output_norm.weight", ne=[0])), "dimension 0 is 0"),
    "huge_dims": (gguf(tensors=with_tensor("output_norm.weight", ne=[1 << 30, 1 << 30]), data=False),
                  "at most 2^48 elements in all) at byte"),
    "partial_block": (gguf(tensors=with_tensor("token_embd.weight", ttype=T_Q8_0, ne=[12, VOCAB])),
                      "rows of 12 elements are not a whole number of Q8_0 blocks (32) at byte"),
    "wrong_shape": (gguf(tensors=with_tensor("blk.0.attn_q.weight", ne=[DIM, DIM - 1])),
                    "tensor 'blk.0.attn_q.weight': expected [8, 8], found [7, 8] at byte"),
    "wrong_rank": (gguf(tensors=with_tensor("blk.0.attn_norm.weight", ne=[DIM, 1])),
                   "tensor 'blk.0.attn_norm.weight': expected [8], found [1, 8] at byte"),
    "unreadable_type": (gguf(tensors=with_tensor("blk.0.attn_q.weight", ttype=T_I8)),
                        "tensor 'blk.0.attn_q.weight' has type I8, which tfc cannot read"),
    "missing_tensor": (gguf(tensors=[t for t in base_tensors() if t[0] != "blk.0.ffn_up.weight"]),
                       "tensor 'blk.0.ffn_up.weight' not found"),
    "vocab_mismatch": (gguf(tensors=with_tensor("token_embd.weight", ne=[DIM, VOCAB + 1])),
                       "tensor 'token_embd.weight': expected [10, 8], found [11, 8] at byte"),
    "missing_key": (gguf(kvs=[k for k in base_kvs() if k[0] != "llama.embedding_length"]),
                    "missing metadata key 'llama.embedding_length'"),
    "block_count_string": (gguf(kvs=with_kv("llama.block_count", STRING, "1")),
                           "metadata key 'llama.block_count' must be an integer in [1, 1024] (it is a string) at byte"),
    "block_count_zero": (gguf(kvs=with_kv("llama.block_count", U32, 0)), "must be an integer in [1, 1024] (it is 0)"),
    "width_huge": (gguf(kvs=with_kv("llama.embedding_length", U64, 1 << 63)), "must be an integer in [1, 1048576] (it is 9223372036854775808)"),
    "width_negative": (gguf(kvs=with_kv("llama.embedding_length", I32, -8)), "must be an integer in [1, 1048576] (it is -8)"),
    "heads_do_not_divide": (gguf(kvs=with_kv("llama.attention.head_count", U32, 3)),
                            "llama.attention.head_count 3 does not divide the embedding length"),
    "eps_negative": (gguf(kvs=with_kv("llama.attention.layer_norm_rms_epsilon", F32, -1.0)),
                     "must be a number in [0, 1] (it is -1) at byte"),
    "tokens_not_strings": (gguf(kvs=with_kv("tokenizer.ggml.tokens", ARRAY, (I32, list(range(VOCAB))))),
                           "metadata key 'tokenizer.ggml.tokens' must be an array of string (it is an array of i32) at byte"),
    "architecture_unsupported": (gguf(kvs=with_kv("general.architecture", STRING, "mamba")),
                                 "general.architecture 'mamba' is not supported (tfc reads llama and gpt2) at byte"),
    "architecture_missing": (gguf(kvs=[k for k in base_kvs() if k[0] != "general.architecture"]),
                             "missing metadata key 'general.architecture'"),
    "rope_scaling": (gguf(kvs=base_kvs() + [("llama.rope.scaling.type", STRING, "linear")]),
                     "llama.rope.scaling.type (RoPE scaling) is not supported at byte"),
    "rope_freqs": (gguf(tensors=base_tensors() + [("rope_freqs.weight", [DIM // HEADS // 2], T_F32)]),
                   "tensor 'rope_freqs.weight' (RoPE scaling) is not supported at byte"),
    "experts": (gguf(kvs=base_kvs() + [("llama.expert_count", U32, 8)]),
                "metadata key 'llama.expert_count' must be an integer in [0, 0] (it is 8) at byte"),
    "key_length": (gguf(kvs=base_kvs() + [("llama.attention.key_length", U32, 2)]),
                   "metadata key 'llama.attention.key_length' must be an integer in [4, 4]"),
    "no_extension": (GOOD, None),   # found by its magic (the file is named without .gguf)
    "folder": (None, "not a model folder"),   # a folder is read as an HF folder
}
CASES.update(cuts())


def write_seeds(folder):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tiny_llama.gguf"), "wb") as f:
        f.write(GOOD)


def run_case(tfc, work, name):
    data, want = CASES[name]
    path = os.path.join(work, name + ("" if name == "no_extension" else ".gguf"))
    out = os.path.join(work, name + ".c")
    for p in (out, out[:-2] + ".h", out[:-2] + ".bin"):
        if os.path.exists(p):
            os.remove(p)
    if data is None:
        os.makedirs(path, exist_ok=True)
    else:
        with open(path, "wb") as f:
            f.write(data)
    p = subprocess.run([tfc, path, "-o", out], capture_output=True, text=True)
    first = (p.stderr.splitlines() or [""])[0]
    if want is None:
        ok = p.returncode == 0 and os.path.exists(out)
    else:
        ok = (p.returncode == 1 and not os.path.exists(out) and
              first.startswith(path + ": error: ") and want in first)
    print("%s: %-28s rc=%d  %s" % ("ok" if ok else "FAIL", name, p.returncode,
                                   first.replace(work + "/", "")))
    if not ok and want:
        print("      expected: %s" % want)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc")
    ap.add_argument("--work")
    ap.add_argument("--case", action="append")
    ap.add_argument("--write-seeds")
    args = ap.parse_args()
    if args.write_seeds:
        return write_seeds(args.write_seeds)
    os.makedirs(args.work, exist_ok=True)
    names = args.case or list(CASES)
    bad = [n for n in names if not run_case(args.tfc, args.work, n)]
    print("%d cases, %d failed" % (len(names), len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
