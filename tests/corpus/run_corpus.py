#!/usr/bin/python3
"""The bad-input corpus: every case must fail cleanly.

    run_corpus.py TFC text CASE          a tests/corpus/*.yaml file or case folder
    run_corpus.py TFC binary NAME        a broken safetensors file made here (CASES)
    run_corpus.py TFC folder             an empty folder as input
    run_corpus.py TFC emit_yaml_rasp     --emit=yaml on a RASP program
    run_corpus.py TFC missing            a path that does not exist

Each case runs `tfc INPUT -o DIR/out.c` in an empty temporary DIR and passes
when the exit status is exactly 1, stderr starts with the expected
`FILE:LINE:COL: error: ` (or `FILE: error: `) and contains the expected
message, and DIR is still empty (no partial output).

Text cases state what they expect in their first line (a folder case in its
`expect` file):
    # expect: LINE:COL message        error in the case file itself
    # expect: FILE:LINE:COL message   FILE relative to the case's folder
    # expect: FILE: message           a file-only location (binary files; .: the folder)
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# ---- a tiny valid GPT-2 (vocab 10, context 4, width 4, 1 layer, 2 heads) to break

TINY_YAML = """tfc: 1
name: tiny
family: gpt2
config: {vocab_size: 10, n_positions: 4, n_embd: 4, n_layer: 1, n_head: 2}
weights: w.safetensors
"""


def tiny_tensors():
    """(name, dtype, shape) of the tiny model, in file order."""
    t = [("wte.weight", [10, 4]), ("wpe.weight", [4, 4])]
    for ln in ("ln_1", "ln_2"):
        t += [("h.0.%s.weight" % ln, [4]), ("h.0.%s.bias" % ln, [4])]
    for mod, n_in, n_out in (("attn.c_attn", 4, 12), ("attn.c_proj", 4, 4),
                             ("mlp.c_fc", 4, 16), ("mlp.c_proj", 16, 4)):
        t += [("h.0.%s.weight" % mod, [n_in, n_out]), ("h.0.%s.bias" % mod, [n_out])]
    t += [("ln_f.weight", [4]), ("ln_f.bias", [4])]
    return [(name, "F32", shape) for name, shape in t]


def header_for(tensors):
    """A safetensors header dict with packed data_offsets, and the data size."""
    header, offset = {}, 0
    for name, dtype, shape in tensors:
        n = 4 if dtype in ("F32", "I32") else 2
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    return header, offset


def pack(header_bytes, data_size, length=None):
    """8-byte length + header + zero data (length overrides the stated length)."""
    n = len(header_bytes) if length is None else length
    return struct.pack("<Q", n) + header_bytes + bytes(data_size)


def with_header(edit, tensors=None):
    """The tiny model's file after edit(header) changed the header dict."""
    header, size = header_for(tensors or tiny_tensors())
    edit(header)
    return pack(json.dumps(header).encode(), size)


def with_shape(name, shape):
    """The tiny model with tensor name stored (consistently) in another shape."""
    return with_header(lambda h: None, [(n, d, shape if n == name else s)
                                        for n, d, s in tiny_tensors()])


def drop(name):
    return lambda h: h.pop(name)


def setitem(name, key, value):
    return lambda h: h[name].__setitem__(key, value)


def overlap(a, b, n):
    """Moves tensor b's data onto the first n bytes of a's (sizes kept consistent)."""
    def edit(h):
        start = h[a]["data_offsets"][0]
        h[b]["data_offsets"] = [start, start + n]
    return edit


# A family: graph model over the tiny weights: node names resolve to earlier
# nodes, tokens, or tensors; type errors point at the node's line.
GRAPH_YAML = """tfc: 1
name: tiny
family: graph
config: {vocab_size: 10, max_seq: 4}
weights: w.safetensors
nodes:
  - {name: x, op: embedding, inputs: [wte.weight, tokens]}
  - {name: y, op: linear, inputs: [x, %s]}
"""

# Sharded checkpoints: model.yaml points at an index that maps tensors to w.safetensors.
INDEX_YAML = TINY_YAML.replace("weights: w.safetensors", "weights: w.safetensors.index.json")


def index_json(edit=None):
    """The index of the tiny model (one shard, w.safetensors), after edit(weight_map)."""
    weight_map = {name: "w.safetensors" for name, _, _ in tiny_tensors()}
    if edit:
        edit(weight_map)
    return json.dumps({"metadata": {}, "weight_map": weight_map}, indent=1)


# where each index case's error is: in the index ("index:LINE:COL") or a shard
INDEX_LOCS = {"index_escapes_folder": "index:4:17", "index_tensor_not_in_shard": "index:20:3",
              "index_not_object": "index:1:1"}

# name -> text of w.safetensors.index.json (the model.yaml is INDEX_YAML)
INDEX_CASES = {
    "index_escapes_folder": index_json(lambda m: m.__setitem__("wte.weight", "../w.safetensors")),
    "index_tensor_not_in_shard": index_json(lambda m: m.__setitem__("extra.weight", "w.safetensors")),
    "index_not_object": "[]",
}

# Cases whose model.yaml is not TINY_YAML: name -> (yaml, error location in it)
YAML_CASES = {
    "graph_unknown_input": (GRAPH_YAML % "fc.weight", "8:39"),
    "graph_shape_mismatch": (GRAPH_YAML % "h.0.attn.c_attn.bias", "8:5"),
    "graph_small_table": (GRAPH_YAML.replace("vocab_size: 10", "vocab_size: 11") % "wte.weight",
                          "7:5"),
}

# name -> (bytes of w.safetensors, expected message); errors are at the weights file
# unless YAML_CASES gives the case its own model.yaml and location
CASES = {
    "index_escapes_folder": (lambda: with_header(lambda h: None),
                             "tensor 'wte.weight': shard must be a file name in this folder"),
    "index_tensor_not_in_shard": (lambda: with_header(lambda h: None),
                                  "tensor 'extra.weight' is not in shard 'w.safetensors'"),
    "index_not_object": (lambda: with_header(lambda h: None),
                         "expected an object with a \"weight_map\" object"),
    "graph_unknown_input": (lambda: with_header(lambda h: None),
                            "'fc.weight' is not an earlier node, 'tokens' or a tensor of"),
    "graph_shape_mismatch": (lambda: with_header(lambda h: None),
                             "linear: weight must be 2-D, found [12]"),
    "graph_small_table": (lambda: with_header(lambda h: None),
                          "embedding table 'wte.weight' has 10 rows; its ids go up to 10"),
    "missing_tensor": (lambda: with_header(drop("h.0.mlp.c_fc.bias")),
                       "tensor 'h.0.mlp.c_fc.bias' not found"),
    "wrong_shape": (lambda: with_shape("h.0.attn.c_attn.weight", [4, 8]),
                    "tensor 'h.0.attn.c_attn.weight': expected [4, 12], found [4, 8]"),
    "too_short": (lambda: b"\x10\x00\x00", "file too short for a safetensors header (3 bytes)"),
    "truncated": (lambda: with_header(lambda h: None)[:-100],
                  "are outside the data area"),
    "huge_header_length": (lambda: pack(b"{}", 0, length=1 << 62),
                           "safetensors header length 4611686018427387904 exceeds the limit"),
    "header_past_end": (lambda: pack(b"{}", 0, length=1000),
                        "safetensors header length 1000 is larger than the file (10 bytes)"),
    "offsets_past_end": (lambda: with_header(setitem("ln_f.bias", "data_offsets", [1000000, 1000016])),
                         "tensor 'ln_f.bias': data_offsets [1000000, 1000016] are outside the data area"),
    "overlapping_tensors": (lambda: with_header(overlap("wte.weight", "wpe.weight", 64)),
                            "tensors 'wpe.weight' and 'wte.weight' overlap"),
    "size_mismatch": (lambda: with_header(setitem("ln_f.bias", "shape", [5])),
                      "tensor 'ln_f.bias': 16 bytes of data, but dtype F32 and its shape need 20"),
    "non_json_header": (lambda: pack(b"this is not JSON", 0),
                        "safetensors header: unexpected character at byte 0"),
    "header_not_object": (lambda: pack(b"[1, 2]", 0), "safetensors header: expected a JSON object"),
    "trailing_comma": (lambda: pack(b'{"a": {},}', 0), "safetensors header: expected a string key"),
    "deep_nesting": (lambda: pack(b"[" * 100 + b"]" * 100, 0), "nesting too deep (limit is 64)"),
    "unknown_dtype": (lambda: with_header(setitem("wte.weight", "dtype", "Q4_K")),
                      "tensor 'wte.weight': unknown dtype 'Q4_K'"),
    "integer_dtype": (lambda: with_header(setitem("wte.weight", "dtype", "I32")),
                      "tensor 'wte.weight' has dtype I32; tfc reads F32, F16 and BF16"),
    "negative_shape": (lambda: with_header(setitem("wte.weight", "shape", [-10, -4])),
                       "tensor 'wte.weight': shape sizes must be integers >= 0"),
    "overflowing_shape": (lambda: with_header(setitem("wte.weight", "shape", [1 << 40, 1 << 40])),
                          "tensor 'wte.weight': shape is too large"),
    "duplicate_tensor": (lambda: pack(b'{"a": {}, "a": {}}', 0),
                         "safetensors header: duplicate key 'a'"),
}


def check(tfc, model_input, prefix, message, args=(), out="out.c"):
    """Runs tfc on model_input; returns a list of failures (empty: pass)."""
    out_dir = tempfile.mkdtemp(prefix="tfc-corpus-")
    try:
        p = subprocess.run([tfc, model_input] + list(args) + ["-o", os.path.join(out_dir, out)],
                           capture_output=True, text=True, timeout=60)
        left = os.listdir(out_dir)
    finally:
        shutil.rmtree(out_dir)
    err = p.stderr
    print("$ tfc %s %s-o %s  -> exit %d\n%s" % (model_input, "".join(a + " " for a in args), out,
                                               p.returncode, err))
    problems = []
    if p.returncode != 1:
        problems.append("exit status %d, expected 1" % p.returncode)
    if not err.startswith(prefix):
        problems.append("stderr does not start with %r" % prefix)
    if message not in err:
        problems.append("stderr does not contain %r" % message)
    if left:
        problems.append("output left behind: %s" % left)
    return problems


def parse_expect(line, case_file, folder):
    """'# expect: LOC message' -> (prefix, message)."""
    m = re.match(r"#\s*expect:\s*(\S+)\s+(.*)$", line.strip())
    if not m:
        sys.exit("%s: first line must be '# expect: LOC message'" % case_file)
    loc, message = m.groups()
    if re.fullmatch(r"\d+:\d+", loc):
        return "%s:%s: error: " % (case_file, loc), message
    if loc.endswith(":"):   # ".:" is the case folder itself
        return "%s: error: " % os.path.normpath(os.path.join(folder, loc[:-1])), message
    file, pos = re.fullmatch(r"(.*?):(\d+:\d+)", loc).groups()
    return "%s:%s: error: " % (os.path.join(folder, file), pos), message


def main():
    tfc, kind = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="tfc-corpus-in-")
    try:
        if kind == "text":
            case = sys.argv[3]
            if os.path.isdir(case):
                with open(os.path.join(case, "expect")) as f:
                    prefix, message = parse_expect(f.readline(), case, case)
            else:
                with open(case) as f:
                    prefix, message = parse_expect(f.readline(), case, os.path.dirname(case))
            problems = check(tfc, case, prefix, message)
        elif kind == "binary":
            make, message = CASES[sys.argv[3]]
            name = sys.argv[3]
            yaml_text, loc = YAML_CASES.get(name, (TINY_YAML, None))
            if name in INDEX_CASES:
                yaml_text, loc = INDEX_YAML, INDEX_LOCS[name]
                with open(os.path.join(work, "w.safetensors.index.json"), "w") as f:
                    f.write(INDEX_CASES[name])
            model_yaml = os.path.join(work, "model.yaml")
            with open(model_yaml, "w") as f:
                f.write(yaml_text)
            weights = os.path.join(work, "w.safetensors")
            with open(weights, "wb") as f:
                f.write(make())
            prefix = weights + ": error: "
            if loc and loc.startswith("index"):
                prefix = "%s.index.json%s: error: " % (weights, loc[5:])
            elif loc:
                prefix = "%s:%s: error: " % (model_yaml, loc)
            problems = check(tfc, model_yaml, prefix, message)
        elif kind == "emit_yaml_rasp":   # a RASP program has no model.yaml form
            prog = os.path.join(work, "count_a.rasp")
            with open(prog, "w") as f:
                f.write('count_a = selector_width(select(tokens, "a", ==));\n')
            problems = check(tfc, prog, prog + ":", "has no model.yaml form",
                             ["--emit=yaml"], "out.yaml")
        elif kind == "folder":
            problems = check(tfc, work, work + ": error: ", "not a model folder")
        else:
            missing = os.path.join(work, "no_such_model.yaml")
            problems = check(tfc, missing, missing + ": error: ", "")
    finally:
        shutil.rmtree(work)
    for p in problems:
        print("FAIL: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
