"""check_tiny.py — small random GGUF models through tfc against transformers.

    check_tiny.py --tfc TFC --cc CC --cflags FLAGS --work DIR [--case NAME]

Each case is a random Hugging Face model (transformers, seeded) written as
llama.cpp's converter would (gguf_ref.write_gguf: Q/K permuted, GPT-2's linears
[out, in], a GPT-2 output.weight copy of token_embd), in F32, F16, BF16 or the
block types.  The reference is transformers on the weights read back from that
GGUF with gguf-py (gguf_ref.reference_model).  tfc's interpreter (-O2) and its
generated C (-O2, one call) must be within 1e-4 x max|logit| of it on every
position.  Prints the max abs error per case.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import gguf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_ref  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM  # noqa: E402

Q = gguf.GGMLQuantizationType
TOKENS = [3, 17, 0, 42, 99, 5, 63, 1, 77, 8]


def llama(dim=64, heads=4, kv=2, hidden=96, layers=2, vocab=100, ctx=32, tied=True):
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=dim, intermediate_size=hidden,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv,
                      max_position_embeddings=ctx, rms_norm_eps=1e-5, rope_theta=10000.0,
                      tie_word_embeddings=tied)
    model = LlamaForCausalLM(cfg)
    for n, p in model.named_parameters():   # norms away from 1, so their layout matters
        if "norm" in n:
            p.data = 1 + 0.1 * torch.randn_like(p)
    meta = {"block_count": layers, "context_length": ctx, "embedding_length": dim,
            "feed_forward_length": hidden, "attention.head_count": heads,
            "attention.head_count_kv": kv, "rope.freq_base": 10000.0,
            "attention.layer_norm_rms_epsilon": 1e-5, "rope.dimension_count": dim // heads}
    return "llama", gguf_ref.gguf_tensors("llama", model.state_dict(), cfg), meta


def gpt2(dim=64, heads=4, layers=2, vocab=100, ctx=32):
    cfg = GPT2Config(vocab_size=vocab, n_positions=ctx, n_embd=dim, n_layer=layers, n_head=heads)
    model = GPT2LMHeadModel(cfg)
    for n, p in model.named_parameters():
        if "ln_" in n or n.endswith(".bias"):
            p.data = (1 if n.endswith("weight") else 0) + 0.1 * torch.randn_like(p)
    tensors = gguf_ref.gguf_tensors("gpt2", model.state_dict(), cfg)
    tensors.append(("output.weight", dict(tensors)["token_embd.weight"]))   # as the converter does
    meta = {"block_count": layers, "context_length": ctx, "embedding_length": dim,
            "feed_forward_length": 4 * dim, "attention.head_count": heads,
            "attention.layer_norm_epsilon": 1e-5}
    return "gpt2", tensors, meta


def matrices(tensors, qtype):
    return {n: qtype for n, x in tensors if x.ndim == 2}


def block_types(tensors):
    """One block type per kind of matrix (K-quants need rows of 256)."""
    kinds = {"token_embd": Q.Q8_0, "attn_q": Q.Q4_0, "attn_k": Q.Q5_0, "attn_v": Q.Q5_1,
             "attn_output": Q.Q4_1, "ffn_gate": Q.Q4_K, "ffn_up": Q.Q5_K, "ffn_down": Q.Q6_K,
             "output": Q.Q8_0}
    return {n: kinds[n.split(".")[-2]] for n, x in tensors if x.ndim == 2}


def case(name):
    """(arch, tensors, meta, types) for a named case."""
    torch.manual_seed(sum(map(ord, name)))
    if name == "llama_f32_gqa_tied":
        arch, t, meta = llama()
        return arch, t, meta, {}
    if name == "llama_f16_untied_mha":
        arch, t, meta = llama(kv=4, tied=False)
        return arch, t, meta, matrices(t, Q.F16)
    if name == "llama_bf16":
        arch, t, meta = llama(dim=32, heads=2, kv=1, hidden=48, layers=1)
        return arch, t, meta, matrices(t, Q.BF16)
    if name == "llama_blocks":
        arch, t, meta = llama(dim=256, heads=4, kv=2, hidden=512, layers=1, vocab=100, tied=False)
        return arch, t, meta, block_types(t)
    if name == "gpt2_f32":
        arch, t, meta = gpt2()
        return arch, t, meta, {}
    if name == "gpt2_f16":
        arch, t, meta = gpt2(dim=32, heads=2, layers=1)
        return arch, t, meta, matrices(t, Q.F16)
    raise SystemExit("unknown case " + name)


CASES = ["llama_f32_gqa_tied", "llama_f16_untied_mha", "llama_bf16", "llama_blocks", "gpt2_f32",
         "gpt2_f16"]


def make(name, work):
    """Writes WORK/NAME.gguf; returns its path."""
    arch, tensors, meta, types = case(name)
    path = os.path.join(work, name + ".gguf")
    vocab = [int(x.shape[0]) for n, x in tensors if n == "token_embd.weight"][0]
    gguf_ref.write_gguf(path, arch, tensors, meta, types, tokens=["t%d" % i for i in range(vocab)])
    return path


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("FAIL: %s: exit %d\n%s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))


def check(args, name):
    path = make(name, args.work)
    with torch.no_grad():
        ref = gguf_ref.reference_model(path)(torch.tensor([TOKENS])).logits[0].numpy()
    toks = " ".join(map(str, TOKENS))
    out_i = os.path.join(args.work, name + ".interp.f32")
    run([args.tfc, path, "--interpret", "--tokens", toks, "--logits", out_i])
    c = os.path.join(args.work, name + ".c")
    exe = os.path.join(args.work, name)
    run([args.tfc, path, "-O2", "--main", "-o", c])
    run([args.cc] + args.cflags.split() + [c, "-lm", "-lpthread", "-o", exe])
    out_c = os.path.join(args.work, name + ".c.f32")
    run([exe, "--tokens", toks, "--logits", out_c])
    scale = float(np.max(np.abs(ref)))
    ok = True
    for what, out in (("interp", out_i), ("C -O2", out_c)):
        got = np.fromfile(out, dtype=np.float32).reshape(ref.shape)
        err = float(np.max(np.abs(got - ref)))
        good = err <= 1e-4 * scale
        ok &= good
        print("%s %-22s %-6s max abs error %.3g, max |logit| %.3f" % (
            "ok" if good else "FAIL", name, what, err, scale))
    return ok


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--work"):
        ap.add_argument(a, required=True)
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = all([check(args, n) for n in (args.case or CASES)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
