"""bert_ref.py — a plain-PyTorch BERT encoder reference for tfc's tests.

Follows Hugging Face's BertModel (absolute positions, one segment, eval mode):
embeddings = LayerNorm(word + position + token_type[0]); per layer, post-LN:
    a = LayerNorm(x + dense(self_attention(x)))          (bidirectional)
    x = LayerNorm(a + dense(gelu(dense(a))))              (GELU with erf)
and the output is the last hidden state [T, hidden].  Computes in float64.

    make_bert(folder, cfg, seed, prefix="", hf=False) writes the model and
        returns the weights (names without the prefix);
    bert_hidden(weights, cfg, tokens) -> [T, hidden] float64.
"""
import json
import os

import torch

from llama_ref import random_weights, write_safetensors, write_yaml


def bert_shapes(cfg):
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    out = [("embeddings.word_embeddings.weight", (cfg["vocab_size"], d)),
           ("embeddings.position_embeddings.weight", (cfg["max_position_embeddings"], d)),
           ("embeddings.token_type_embeddings.weight", (cfg.get("type_vocab_size", 2), d)),
           ("embeddings.LayerNorm.weight", (d,)), ("embeddings.LayerNorm.bias", (d,))]
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        for s in ("attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense"):
            out += [(p + s + ".weight", (d, d)), (p + s + ".bias", (d,))]
        out += [(p + "attention.output.LayerNorm.weight", (d,)),
                (p + "attention.output.LayerNorm.bias", (d,)),
                (p + "intermediate.dense.weight", (f, d)), (p + "intermediate.dense.bias", (f,)),
                (p + "output.dense.weight", (d, f)), (p + "output.dense.bias", (d,)),
                (p + "output.LayerNorm.weight", (d,)), (p + "output.LayerNorm.bias", (d,))]
    return out


def make_bert(folder, cfg, seed, prefix="", hf=False, name="tiny_bert"):
    os.makedirs(folder, exist_ok=True)
    w = random_weights(bert_shapes(cfg), seed)
    for k in w:                       # biases around 0, not 1
        if k.endswith(".bias"):
            w[k] = w[k] - 1.0
    extra = {prefix + "pooler.dense.weight": torch.zeros(cfg["hidden_size"], cfg["hidden_size"])}
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      dict({prefix + k: v for k, v in w.items()}, **extra))
    if hf:
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(dict(cfg, model_type="bert"), f, indent=2)
    else:
        write_yaml(os.path.join(folder, "model.yaml"), name, "bert", cfg, "model.safetensors")
    return w


def layernorm(x, g, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = (x - mu).pow(2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * g + b


def bert_hidden(w, cfg, tokens):
    W = {k: v.double() for k, v in w.items()}
    d, H, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg.get("layer_norm_eps", 1e-12)
    hd, T = d // H, len(tokens)
    lin = lambda x, s: x @ W[s + ".weight"].T + W[s + ".bias"]
    ln = lambda x, s: layernorm(x, W[s + ".weight"], W[s + ".bias"], eps)
    x = (W["embeddings.word_embeddings.weight"][torch.tensor(tokens)] +
         W["embeddings.position_embeddings.weight"][:T] +
         W["embeddings.token_type_embeddings.weight"][0])
    x = ln(x, "embeddings.LayerNorm")
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l
        q = lin(x, p + "attention.self.query").view(T, H, hd)
        k = lin(x, p + "attention.self.key").view(T, H, hd)
        v = lin(x, p + "attention.self.value").view(T, H, hd)
        att = (torch.einsum("thd,shd->hts", q, k) / hd ** 0.5).softmax(-1)
        o = torch.einsum("hts,shd->thd", att, v).reshape(T, d)
        a = ln(x + lin(o, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        f = torch.nn.functional.gelu(lin(a, p + "intermediate.dense"))
        x = ln(a + lin(f, p + "output.dense"), p + "output.LayerNorm")
    return x
