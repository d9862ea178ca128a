#!/usr/bin/python3
"""The benchmark's models, made once, run by every peer.

    /usr/bin/python3 bench/models.py OUT_DIR [NAME...]

Writes OUT_DIR/<name>/ for name in gpt2s (GPT-2 small: 12 layers, d 768, 12
heads, vocab 50257, context 1024) and llama (d 512, 8 layers, 8 heads, 2 KV
heads, FFN 1376, vocab 32000, context 1024, untied head):
  model.yaml + model.safetensors   tfc's input (random weights, seeded)
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
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)
    ang = (torch.arange(T, dtype=torch.float32) + pos0)[:, None] * inv[None, :]
    cos, sin = ang.cos(), ang.sin()
    a, b = x[..., : hd // 2], x[..., hd // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class Llama(torch.nn.Module):
    def __init__(self, w, cfg):
        super().__init__()
        self.cfg = cfg
        self.w = {k: v.float().contiguous() for k, v in w.items()}
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
    return GPT2(w, GPT2S) if name == "gpt2s" else Llama(w, LLAMA)



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
                              ("llama", make_llama, LLAMA["vocab_size"])):
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
