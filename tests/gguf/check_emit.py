"""check_emit.py — --emit=gguf, read back with gguf-py.

    check_emit.py --tfc TFC --work DIR

1. Round trip: each tiny GGUF of check_tiny.py (F32 GQA tied, F16 MHA untied,
   BF16, and the block types) -> tfc -O2 --emit=gguf.  gguf-py must parse the
   output; it must hold exactly the tensors llama.cpp's `llama` expects (names,
   shapes from its own metadata, output.weight only when untied); each F32 /
   F16 / BF16 tensor must keep its type and bytes (bit-identical), each
   block-type tensor becomes F32 equal bit for bit to gguf-py's dequantization;
   the llama.* metadata must equal the input's and the tokenizer.* pairs must
   be copied through.  Writing the output again from itself gives the same
   bytes.
2. From a Hugging Face folder (RoPE on halves): the tensors must be the ones
   llama.cpp's converter writes (attn_q / attn_k rows permuted, gguf_ref.permute),
   bit for bit; and tfc reading that GGUF back must give transformers' logits
   (<= 1e-4 x max|logit|).
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import gguf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_tiny  # noqa: E402
import gguf_ref  # noqa: E402

Q = gguf.GGMLQuantizationType
KEEP = (Q.F32, Q.F16, Q.BF16)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("FAIL: %s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))


def emit(tfc, src, out):
    run([tfc, src, "-O2", "--emit=gguf", "-o", out])
    return gguf.GGUFReader(out)


def expected_shapes(r):
    """llama.cpp's llama tensors (ne order) from the file's own metadata."""
    f = lambda k: int(r.fields["llama." + k].contents())
    dim, hidden, heads = f("embedding_length"), f("feed_forward_length"), f("attention.head_count")
    kv, layers, vocab = f("attention.head_count_kv"), f("block_count"), f("vocab_size")
    kvd = dim // heads * kv
    shapes = {"token_embd.weight": [dim, vocab], "output_norm.weight": [dim]}
    for l in range(layers):
        for name, ne in (("attn_norm", [dim]), ("attn_q", [dim, dim]), ("attn_k", [dim, kvd]),
                         ("attn_v", [dim, kvd]), ("attn_output", [dim, dim]), ("ffn_norm", [dim]),
                         ("ffn_gate", [dim, hidden]), ("ffn_up", [dim, hidden]), ("ffn_down", [hidden, dim])):
            shapes["blk.%d.%s.weight" % (l, name)] = ne
    return shapes


def check_layout(r, untied):
    want = expected_shapes(r)
    if untied:
        want["output.weight"] = want["token_embd.weight"]
    got = {t.name: [int(x) for x in t.shape] for t in r.tensors}
    return got == want


def fields(r, prefix):
    return {k: (f.types, f.contents()) for k, f in r.fields.items()
            if k.startswith(prefix) and not k.startswith("GGUF.")}


def round_trip(args, name):
    src = check_tiny.make(name, args.work)
    out = os.path.join(args.work, name + ".out.gguf")
    a, b = gguf.GGUFReader(src), emit(args.tfc, src, out)
    ta, tb = {t.name: t for t in a.tensors}, {t.name: t for t in b.tensors}
    ok = check_layout(b, "output.weight" in ta) and set(ta) == set(tb)
    same = 0
    for n, t in ta.items():
        u = tb.get(n)
        if u is None:
            continue
        if t.tensor_type in KEEP:
            good = u.tensor_type == t.tensor_type and bytes(u.data.tobytes()) == bytes(t.data.tobytes())
        else:
            want = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
            good = u.tensor_type == Q.F32 and np.array_equal(u.data.view(np.uint32).reshape(-1),
                                                              want.view(np.uint32).reshape(-1))
        same += good
        ok &= good
    keys = [k for k in fields(a, "llama.")]
    meta_ok = all(fields(b, "llama.").get(k) == fields(a, "llama.")[k] for k in keys)
    tok_ok = fields(b, "tokenizer.") == fields(a, "tokenizer.") and len(fields(a, "tokenizer.")) >= 2
    again = os.path.join(args.work, name + ".again.gguf")
    emit(args.tfc, out, again)
    c = gguf.GGUFReader(again)
    stable = ({k: v for k, v in fields(c, "").items() if k != "general.name"} ==
              {k: v for k, v in fields(b, "").items() if k != "general.name"} and
              [(t.name, t.tensor_type, t.data.tobytes()) for t in c.tensors] ==
              [(t.name, t.tensor_type, t.data.tobytes()) for t in b.tensors])
    ok &= meta_ok and tok_ok and stable
    print("%s round trip %-22s %d/%d tensors identical (%s), llama.* %s, tokenizer.* %s, again %s" % (
        "ok" if ok else "FAIL", name, same, len(ta), ", ".join(sorted({t.tensor_type.name for t in b.tensors})),
        "equal" if meta_ok else "DIFFER", "copied" if tok_ok else "DIFFER", "same" if stable else "DIFFERS"))
    return ok


def from_hf(args):
    """A random HF Llama (halves RoPE) -> --emit=gguf == the converter's tensors."""
    torch.manual_seed(5)
    arch, tensors, meta = check_tiny.llama(kv=2, tied=False)
    cfg_model = check_tiny.LlamaConfig(vocab_size=100, hidden_size=64, intermediate_size=96,
                                       num_hidden_layers=2, num_attention_heads=4,
                                       num_key_value_heads=2, max_position_embeddings=32,
                                       rms_norm_eps=1e-5, tie_word_embeddings=False)
    model = check_tiny.LlamaForCausalLM(cfg_model)
    for n, p in model.named_parameters():
        if "norm" in n:
            p.data = 1 + 0.1 * torch.randn_like(p)
    folder = os.path.join(args.work, "hf_llama")
    model.save_pretrained(folder, safe_serialization=True)
    out = os.path.join(args.work, "hf_llama.gguf")
    r = emit(args.tfc, folder, out)
    want = dict(gguf_ref.gguf_tensors("llama", model.state_dict(), cfg_model))
    got = {t.name: np.asarray(t.data).reshape([int(x) for x in reversed(t.shape)]) for t in r.tensors}
    same = sum(1 for n in want if n in got and np.array_equal(got[n].view(np.uint32), want[n].view(np.uint32)))
    ok = same == len(want) == len(got) and check_layout(r, True)
    ok &= fields(r, "tokenizer.") == {"tokenizer.ggml.model": ([gguf.GGUFValueType.STRING], "no_vocab")}
    toks = check_tiny.TOKENS
    with torch.no_grad():
        ref = model(torch.tensor([toks])).logits[0].numpy()
    logits = os.path.join(args.work, "hf_llama.f32")
    run([args.tfc, out, "--interpret", "--tokens", " ".join(map(str, toks)), "--logits", logits])
    err = float(np.max(np.abs(np.fromfile(logits, dtype=np.float32).reshape(ref.shape) - ref)))
    scale = float(np.max(np.abs(ref)))
    ok &= err <= 1e-4 * scale
    print("%s from an HF folder: %d/%d tensors as llama.cpp's converter writes them (Q/K permuted); "
          "read back: max abs error %.3g, max |logit| %.3f" % ("ok" if ok else "FAIL", same, len(want), err, scale))
    return ok


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--work"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = all([round_trip(args, n) for n in ("llama_f32_gqa_tied", "llama_f16_untied_mha", "llama_bf16",
                                             "llama_blocks")])
    ok &= from_hf(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
