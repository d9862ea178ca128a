"""llama_ref.py — a plain-PyTorch Llama (and llama2.c) reference for tfc's tests.

No `transformers`: the forward pass below follows Hugging Face's
LlamaForCausalLM (RMSNorm, rotate-half RoPE with rope_theta, SwiGLU MLP,
grouped-query attention via repeat_kv, optional untied lm_head) and, with
interleaved=True, llama2.c's run.c (RoPE on pairs (2i, 2i+1)).  It computes in
float64 from the float32 weights, so its error is far below the test tolerance.

    make_llama(folder, cfg, seed, hf=False) writes model.yaml (or config.json
        when hf) + model.safetensors and returns the weights (HF names);
    write_llama2c(path, cfg, weights) writes the same weights as a llama2.c
        checkpoint (shared or separate classifier);
    llama_logits(weights, cfg, tokens, interleaved=False) -> [T, vocab] float64.
"""
import json
import os
import struct

import torch


def write_safetensors(path, tensors):
    """A safetensors file of float32 tensors: u64 header length, JSON header, data."""
    header, blobs, at = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def llama_shapes(cfg):
    """(name, shape) of every tensor, in HF order."""
    d, f, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    kv = d // cfg["num_attention_heads"] * cfg["num_key_value_heads"]
    out = [("model.embed_tokens.weight", (v, d))]
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        out += [(p + "input_layernorm.weight", (d,)),
                (p + "self_attn.q_proj.weight", (d, d)),
                (p + "self_attn.k_proj.weight", (kv, d)),
                (p + "self_attn.v_proj.weight", (kv, d)),
                (p + "self_attn.o_proj.weight", (d, d)),
                (p + "post_attention_layernorm.weight", (d,)),
                (p + "mlp.gate_proj.weight", (f, d)),
                (p + "mlp.down_proj.weight", (d, f)),
                (p + "mlp.up_proj.weight", (f, d))]
    out.append(("model.norm.weight", (d,)))
    if not cfg.get("tie_word_embeddings", False):
        out.append(("lm_head.weight", (v, d)))
    return out


def random_weights(shapes, seed, embed_std=1.0):
    """Weights that keep activations near unit size: gains 1 + noise, linears
    1/sqrt(in); embeddings embed_std (small when tied, so that the logits are
    not dominated by each token's own embedding)."""
    g = torch.Generator().manual_seed(seed)
    w = {}
    for name, shape in shapes:
        if len(shape) == 1:
            w[name] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        elif "embed" in name or "embeddings" in name:
            w[name] = embed_std * torch.randn(shape, generator=g)
        else:
            w[name] = torch.randn(shape, generator=g) / shape[1] ** 0.5
    return {k: v.float() for k, v in w.items()}


def make_llama(folder, cfg, seed, hf=False, name="tiny_llama"):
    os.makedirs(folder, exist_ok=True)
    w = random_weights(llama_shapes(cfg), seed, embed_std=0.25)
    write_safetensors(os.path.join(folder, "model.safetensors"), w)
    if hf:
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(dict(cfg, model_type="llama"), f, indent=2)
    else:
        write_yaml(os.path.join(folder, "model.yaml"), name, "llama", cfg, "model.safetensors")
    return w


def write_yaml(path, name, family, cfg, weights, extra=""):
    with open(path, "w") as f:
        f.write("tfc: 1\nname: %s\nfamily: %s\n" % (name, family))
        if cfg:
            f.write("config:\n")
            for k, v in cfg.items():
                f.write("  %s: %s\n" % (k, json.dumps(v)))
        f.write("weights: %s\n%s" % (weights, extra))


def write_llama2c(path, cfg, w):
    """The llama2.c legacy format: 7 int32, then the tensors in run.c's order."""
    d, L = cfg["hidden_size"], cfg["num_hidden_layers"]
    heads, seq = cfg["num_attention_heads"], cfg["max_position_embeddings"]
    shared = "lm_head.weight" not in w
    v = cfg["vocab_size"]
    header = struct.pack("<7i", d, cfg["intermediate_size"], L, heads,
                         cfg["num_key_value_heads"], v if shared else -v, seq)
    layer = lambda s: torch.stack([w["model.layers.%d.%s" % (l, s)] for l in range(L)])
    parts = [w["model.embed_tokens.weight"], layer("input_layernorm.weight"),
             layer("self_attn.q_proj.weight"), layer("self_attn.k_proj.weight"),
             layer("self_attn.v_proj.weight"), layer("self_attn.o_proj.weight"),
             layer("post_attention_layernorm.weight"), layer("mlp.gate_proj.weight"),
             layer("mlp.down_proj.weight"), layer("mlp.up_proj.weight"), w["model.norm.weight"],
             torch.full((seq, d // heads // 2), 7.0), torch.full((seq, d // heads // 2), -7.0)]
    if not shared:
        parts.append(w["lm_head.weight"])
    with open(path, "wb") as f:
        f.write(header)
        for p in parts:
            f.write(p.float().contiguous().numpy().tobytes())


def rmsnorm(x, g, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g


def rope(x, theta, interleaved):
    """x [T, H, hd] at positions 0..T-1."""
    T, _, hd = x.shape
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]     # [T, hd/2]
    cos, sin = ang.cos()[:, None, :], ang.sin()[:, None, :]
    if interleaved:          # llama2.c: pairs (2i, 2i+1)
        a, b = x[..., 0::2], x[..., 1::2]
        out = torch.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out
    a, b = x[..., : hd // 2], x[..., hd // 2:]  # HF: rotate_half
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


def llama_logits(w, cfg, tokens, interleaved=False):
    W = {k: v.double() for k, v in w.items()}
    d, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps = d // H, cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    T = len(tokens)
    x = W["model.embed_tokens.weight"][torch.tensor(tokens)]
    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    for l in range(cfg["num_hidden_layers"]):
        p = lambda s: W["model.layers.%d.%s" % (l, s)]
        xn = rmsnorm(x, p("input_layernorm.weight"), eps)
        q = rope((xn @ p("self_attn.q_proj.weight").T).view(T, H, hd), theta, interleaved)
        k = rope((xn @ p("self_attn.k_proj.weight").T).view(T, KV, hd), theta, interleaved)
        v = (xn @ p("self_attn.v_proj.weight").T).view(T, KV, hd)
        k, v = k.repeat_interleave(H // KV, dim=1), v.repeat_interleave(H // KV, dim=1)
        att = torch.einsum("thd,shd->hts", q, k) / hd ** 0.5 + mask
        o = torch.einsum("hts,shd->thd", att.softmax(-1), v).reshape(T, d)
        x = x + o @ p("self_attn.o_proj.weight").T
        hn = rmsnorm(x, p("post_attention_layernorm.weight"), eps)
        act = torch.nn.functional.silu(hn @ p("mlp.gate_proj.weight").T) * (hn @ p("mlp.up_proj.weight").T)
        x = x + act @ p("mlp.down_proj.weight").T
    x = rmsnorm(x, W["model.norm.weight"], eps)
    cls = W.get("lm_head.weight", W["model.embed_tokens.weight"])
    return x @ cls.T
