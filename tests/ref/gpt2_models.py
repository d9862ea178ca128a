#!/usr/bin/python3
"""Random GPT-2 models and their PyTorch logits, for tfc's reference tests.

    /usr/bin/python3 gpt2_models.py OUT_DIR

For every entry of MODELS this writes OUT_DIR/<name>/ holding
  model.yaml + weights.safetensors       (or, for HF variants, hf/config.json
                                          + hf/model.safetensors)
  input        the path tfc compiles (model.yaml or the hf folder)
  tokens.txt   the token ids, space separated
  logits.bin   float32 little-endian [T, vocab]: the reference
The reference is GPT-2's forward pass (as transformers' GPT2LMHeadModel
computes it) in plain torch, in float64, on the weights exactly as stored
(F16/BF16 files are rounded first), so it is an oracle for tfc's f32 code.

safetensors is written by hand (struct + json): 8-byte little-endian header
length, JSON header, data.  Everything is seeded; reruns give identical files.
"""
import json
import math
import os
import struct
import sys

import torch

# name, vocab, n_positions, n_embd, n_layer, n_head, activation, dtype, layout, extra config
# layout: yaml | prefix (yaml, tensors named transformer.*) | hf (config.json folder)
#         | graph (family: graph, the same network spelled out node by node)
#         | unaligned (yaml; F32 data not 4-byte aligned in the file)
#         | sharded (HF folder with model.safetensors.index.json and two shards)
MODELS = [
    ("a_gelu_new", 101, 32, 48, 2, 4, "gelu_new", "F32", "yaml", {}),
    ("b_gelu_odd", 77, 16, 27, 1, 3, "gelu", "F32", "yaml", {}),
    ("c_f16_8heads", 253, 24, 40, 3, 8, "gelu_new", "F16", "yaml", {"n_inner": 72}),
    ("d_bf16_relu_prefix", 61, 20, 22, 2, 2, "relu", "BF16", "prefix", {}),
    ("e_one_head", 50, 12, 17, 1, 1, "gelu_new", "F32", "unaligned",
     {"scale_attn_by_inverse_layer_idx": True}),
    ("f_hf_folder", 99, 16, 32, 3, 4, "gelu_new", "F32", "hf", {"layer_norm_epsilon": 1e-6}),
    ("g_graph_family", 45, 10, 12, 2, 2, "gelu", "F32", "graph", {}),
    ("h_hf_sharded", 33, 8, 16, 2, 2, "relu", "F16", "sharded", {}),
]


# The keys of a real transformers GPT-2 config.json that do not change the
# forward pass: tfc must read past them (nested objects, nulls, booleans).
HF_EXTRA = {
    "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
    "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
    "n_ctx": 1024, "n_inner": None, "reorder_and_upcast_attn": False, "resid_pdrop": 0.1,
    "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
    "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
    "task_specific_params": {"text-generation": {"do_sample": True, "max_length": 50}},
    "torch_dtype": "float32", "transformers_version": "4.26.0", "use_cache": True,
}


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


ACTIVATIONS = {
    "gelu_new": gelu_new,
    "gelu": torch.nn.functional.gelu,
    "relu": torch.relu,
}

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def random_weights(gen, V, P, D, L, n_inner):
    """HF GPT-2 tensors (Conv1D weights [in, out]); scales chosen so that
    attention is far from uniform and every parameter moves the logits."""
    def randn(*shape, std=1.0):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    w = {"wte.weight": randn(V, D, std=0.5), "wpe.weight": randn(P, D, std=0.2)}
    for i in range(L):
        h = "h.%d." % i
        for ln in ("ln_1", "ln_2"):
            w[h + ln + ".weight"] = 1.0 + randn(D, std=0.1)
            w[h + ln + ".bias"] = randn(D, std=0.1)
        for mod, (n_in, n_out) in (("attn.c_attn", (D, 3 * D)), ("attn.c_proj", (D, D)),
                                   ("mlp.c_fc", (D, n_inner)), ("mlp.c_proj", (n_inner, D))):
            w[h + mod + ".weight"] = randn(n_in, n_out, std=1.0 / math.sqrt(n_in))
            w[h + mod + ".bias"] = randn(n_out, std=0.1)
    w["ln_f.weight"] = 1.0 + randn(D, std=0.1)
    w["ln_f.bias"] = randn(D, std=0.1)
    return w


def layer_norm(x, g, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * g + b


def forward(w, tokens, cfg):
    """GPT2LMHeadModel's forward (no cache) in float64 -> logits [T, V]."""
    D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = ACTIVATIONS[cfg["activation_function"]]
    T, hd = len(tokens), D // H
    ids = torch.tensor(tokens)
    x = w["wte.weight"][ids] + w["wpe.weight"][torch.arange(T)]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(L):
        p = "h.%d." % i
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (t.reshape(T, H, hd).transpose(0, 1) for t in qkv.split(D, dim=-1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
        if cfg.get("scale_attn_by_inverse_layer_idx"):
            scores = scores / (i + 1)
        scores = scores.masked_fill(~mask, float("-inf"))
        a = (torch.softmax(scores, dim=-1) @ v).transpose(0, 1).reshape(T, D)
        x = x + a @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = act(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T


def tensor_bytes(t, dtype):
    """Raw little-endian bytes of t stored as dtype."""
    t = t.to(DTYPES[dtype]).contiguous()
    if dtype == "BF16":   # numpy has no bfloat16: go through int16 views
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, aligned=True):
    """tensors: list of (name, torch tensor, dtype name).  The header is padded
    to 8 bytes, or (aligned=False) so that the data starts at an address that
    is not a multiple of 4: tfc must then copy F32 data rather than point at it."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t, dtype in tensors:
        data = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8 if aligned else (1 - len(text)) % 4)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def stored(t, dtype):
    """t as tfc will read it back: rounded to dtype, widened to float64."""
    return t.to(DTYPES[dtype]).to(torch.float64)


def write_config(d, cfg):
    with open(os.path.join(d, "hf", "config.json"), "w") as f:
        json.dump(dict(HF_EXTRA, **cfg), f, indent=2)


def write_shards(folder, tensors):
    """Two shards and model.safetensors.index.json, as transformers shards a checkpoint."""
    half, weight_map = (len(tensors) + 1) // 2, {}
    for k, part in enumerate((tensors[:half], tensors[half:])):
        shard = "model-%05d-of-00002.safetensors" % (k + 1)
        write_safetensors(os.path.join(folder, shard), part)
        weight_map.update({name: shard for name, _, _ in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)


def write_yaml(path, name, cfg, weights):
    lines = ["tfc: 1", "name: " + name, "family: gpt2", "config:"]
    for key, value in cfg.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        lines.append("  %s: %s" % (key, value))
    lines.append("weights: " + weights)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def graph_nodes(cfg):
    """GPT-2 as a family: graph node list (flow mappings, one per line)."""
    D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    act = {"gelu_new": "gelu_tanh", "gelu": "gelu", "relu": "relu"}[cfg["activation_function"]]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    nodes = ["{name: wte, op: embedding, inputs: [wte.weight, tokens]}",
             "{name: positions, op: positions}",
             "{name: wpe, op: embedding, inputs: [wpe.weight, positions]}",
             "{name: embed, op: add, inputs: [wte, wpe]}"]
    x = "embed"

    def ln(name, src, w):
        return "{name: %s, op: layernorm, inputs: [%s, %s.weight, %s.bias], eps: %r}" % (
            name, src, w, w, eps)

    def conv1d(name, src, w):
        return "{name: %s, op: linear, inputs: [%s, %s.weight, %s.bias], w_layout: 1}" % (
            name, src, w, w)

    for i in range(L):
        p = "h.%d." % i
        layer = ", layer: h.%d}" % i
        block = [ln(p + "ln_1", x, p + "ln_1"), conv1d(p + "qkv", p + "ln_1", p + "attn.c_attn")]
        block += ["{name: %s%s, op: slice, inputs: [%sqkv], axis: -1, start: %d, length: %d}"
                  % (p, part, p, k * D, D) for k, part in enumerate("qkv")]
        block += ["{name: %sattn, op: attention, inputs: [%sq, %sk, %sv], heads: %d, kv_heads: %d,"
                  " head_dim: %d, causal: true}" % (p, p, p, p, H, H, D // H),
                  conv1d(p + "attn_out", p + "attn", p + "attn.c_proj"),
                  "{name: %sresid_attn, op: add, inputs: [%s, %sattn_out]}" % (p, x, p),
                  ln(p + "ln_2", p + "resid_attn", p + "ln_2"),
                  conv1d(p + "fc", p + "ln_2", p + "mlp.c_fc"),
                  "{name: %sact, op: %s, inputs: [%sfc]}" % (p, act, p),
                  conv1d(p + "mlp", p + "act", p + "mlp.c_proj"),
                  "{name: %sresid_mlp, op: add, inputs: [%sresid_attn, %smlp]}" % (p, p, p)]
        nodes += [n[:-1] + layer for n in block]
        x = p + "resid_mlp"
    nodes += [ln("ln_f", x, "ln_f"), "{name: logits, op: linear, inputs: [ln_f, wte.weight]}"]
    return nodes


def write_graph_yaml(path, name, cfg, weights):
    lines = ["tfc: 1", "name: " + name, "family: graph",
             "config: {vocab_size: %d, max_seq: %d}" % (cfg["vocab_size"], cfg["n_positions"]),
             "weights: " + weights, "nodes:"]
    lines += ["  - " + n for n in graph_nodes(cfg)]
    lines.append("output: logits")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def make_model(out, seed, spec):
    name, V, P, D, L, H, act, dtype, layout, extra = spec
    gen = torch.Generator().manual_seed(seed)
    cfg = {"vocab_size": V, "n_positions": P, "n_embd": D, "n_layer": L, "n_head": H,
           "activation_function": act}
    cfg.update(extra)
    n_inner = cfg.get("n_inner", 4 * D)
    w = {k: stored(v, dtype) for k, v in random_weights(gen, V, P, D, L, n_inner).items()}
    T = min(P, 11)
    tokens = [0, V - 1] + torch.randint(0, V, (T - 2,), generator=gen).tolist()
    logits = forward(w, tokens, cfg).to(torch.float32)

    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    prefix = "transformer." if layout in ("prefix", "hf", "sharded") else ""
    tensors = [(prefix + k, v, dtype) for k, v in sorted(w.items())]
    if layout == "hf":   # as transformers saves it: a tied lm_head and the causal-mask buffers
        tensors.append(("lm_head.weight", w["wte.weight"], dtype))
        tensors += [("transformer.h.%d.attn.bias" % i, torch.ones(1, 1, P, P), "F32")
                    for i in range(L)]
        os.makedirs(os.path.join(d, "hf"), exist_ok=True)
        write_safetensors(os.path.join(d, "hf", "model.safetensors"), tensors)
        write_config(d, cfg)
        model_input = os.path.join(d, "hf")
    elif layout == "sharded":
        os.makedirs(os.path.join(d, "hf"), exist_ok=True)
        write_shards(os.path.join(d, "hf"), tensors)
        write_config(d, cfg)
        model_input = os.path.join(d, "hf")
    else:
        write_safetensors(os.path.join(d, "weights.safetensors"), tensors,
                          aligned=layout != "unaligned")
        write = write_graph_yaml if layout == "graph" else write_yaml
        write(os.path.join(d, "model.yaml"), name, cfg, "weights.safetensors")
        model_input = os.path.join(d, "model.yaml")
    with open(os.path.join(d, "input"), "w") as f:
        f.write(model_input + "\n")
    with open(os.path.join(d, "tokens.txt"), "w") as f:
        f.write(" ".join(map(str, tokens)) + "\n")
    with open(os.path.join(d, "logits.bin"), "wb") as f:
        f.write(logits.numpy().astype("<f4").tobytes())


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for seed, spec in enumerate(MODELS):
        make_model(out, 1000 + seed, spec)
    print("wrote %d GPT-2 models to %s" % (len(MODELS), out))


if __name__ == "__main__":
    main()
