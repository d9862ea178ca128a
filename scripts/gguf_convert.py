"""gguf_convert.py — rewrites a GGUF file with every tensor dequantized, for the references
and benchmarks that must run llama.cpp on the same numbers tfc computes with.

    .venv/bin/python scripts/gguf_convert.py IN.gguf OUT.gguf {f32|f16}

f32: every tensor as F32 (the quantized ones dequantized by the `gguf` package, which follows
     llama.cpp's own dequantization); this is what tfc computes with when it reads IN.gguf.
f16: as llama.cpp's converter writes an F16 model: 2-D tensors F16 (rounded from the
     dequantized f32), 1-D tensors (norms) F32.
Every metadata key is copied as it is (value types kept), except general.file_type, which
says the new type (0 = ALL_F32, 1 = MOSTLY_F16).  Tensor order, names and shapes are kept.
The output is written whole (OUT.tmp, then renamed), and not rewritten when it is newer than
IN.gguf and this script.
"""
import os
import sys

import numpy as np
import gguf

FILE_TYPE = {"f32": 0, "f16": 1}


def copy_fields(reader, writer, file_type):
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue   # the writer writes these itself
        if key == "general.file_type":
            writer.add_uint32(key, file_type)
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), vtype, sub_type=sub)


def tensor_values(t, kind):
    """The tensor as an array in numpy order (GGUF's shape reversed), in the output type."""
    a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
    a = a.reshape(tuple(int(d) for d in reversed(t.shape)))
    if kind == "f16" and a.ndim >= 2:
        return a.astype(np.float16)
    return a


def convert(src, dst, kind):
    """Writes dst from src with the tensors in `kind` (f32 | f16); does nothing if dst is
    already newer than src and this script."""
    if os.path.exists(dst) and os.path.getmtime(dst) > max(os.path.getmtime(src),
                                                           os.path.getmtime(__file__)):
        return
    reader = gguf.GGUFReader(src)
    arch = reader.fields["general.architecture"].contents()
    tmp = dst + ".tmp"
    writer = gguf.GGUFWriter(tmp, arch)
    copy_fields(reader, writer, FILE_TYPE[kind])
    for t in reader.tensors:
        writer.add_tensor(t.name, tensor_values(t, kind))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, dst)


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in FILE_TYPE:
        sys.exit("usage: gguf_convert.py IN.gguf OUT.gguf {f32|f16}")
    convert(*sys.argv[1:])


if __name__ == "__main__":
    main()
