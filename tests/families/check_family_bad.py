"""check_family_bad.py — bad Llama and BERT models are refused cleanly.

    check_family_bad.py --tfc TFC --work DIR

Each case writes a tiny model (tests/ref/llama_ref.py, bert_ref.py) with one
defect in its config or tensors.  tfc must exit with status 1, print an error
that names the problem (the expected fragment below), and write no output.
"""
import argparse
import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ref"))
from llama_ref import llama_shapes, random_weights, write_safetensors, write_yaml  # noqa: E402
from bert_ref import bert_shapes  # noqa: E402

LLAMA = dict(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8)
BERT = dict(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
            num_attention_heads=4, max_position_embeddings=8)


def llama(cfg_change=None, drop=None, reshape=None):
    """("llama", config, tensors) of a tiny Llama with the given defect."""
    cfg = dict(LLAMA, **(cfg_change or {}))
    w = random_weights(llama_shapes(dict(cfg, hidden_size=16)), 0)
    if drop:
        del w[drop]
    if reshape:
        w[reshape[0]] = torch.zeros(reshape[1])
    return "llama", cfg, w


def bert(cfg_change=None, drop=None):
    cfg = dict(BERT, **(cfg_change or {}))
    w = random_weights(bert_shapes(BERT), 0)
    if drop:
        del w[drop]
    return "bert", cfg, w


CASES = {   # name: (family, config, tensors), expected fragment of the error
    "untied_without_lm_head": (llama({"tie_word_embeddings": False}, drop="lm_head.weight"),
                               "'lm_head.weight' not found"),
    "q_proj_wrong_shape": (llama(reshape=("model.layers.0.self_attn.q_proj.weight", (16, 12))),
                           "expected [16, 16], found [16, 12]"),
    "heads_do_not_divide": (llama({"num_attention_heads": 3, "num_key_value_heads": 3}),
                            "not a multiple of 3 attention heads"),
    "kv_heads_do_not_divide": (llama({"num_key_value_heads": 3}),
                               "not a multiple of 3 key/value heads"),
    "llama_gelu": (llama({"hidden_act": "gelu"}), "hidden_act 'gelu' is not supported"),
    "llama_rope_scaling": (llama({"rope_scaling": {"type": "linear", "factor": 2.0}}),
                           "rope_scaling is not supported"),
    "llama_missing_size": (llama({"hidden_size": None}), "hidden_size"),
    "bert_relative_positions": (bert({"position_embedding_type": "relative_key"}),
                                "position_embedding_type"),
    "bert_missing_layernorm": (bert(drop="encoder.layer.0.output.LayerNorm.bias"),
                               "'encoder.layer.0.output.LayerNorm.bias' not found"),
    "bert_heads_do_not_divide": (bert({"num_attention_heads": 3}), "not a multiple of 3"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfc", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    failures = 0
    for name, ((family, cfg, w), want) in CASES.items():
        folder = os.path.join(args.work, name)
        os.makedirs(folder, exist_ok=True)
        write_safetensors(os.path.join(folder, "model.safetensors"), w)
        cfg = {k: v for k, v in cfg.items() if v is not None}
        write_yaml(os.path.join(folder, "model.yaml"), "bad", family, cfg, "model.safetensors")
        out = os.path.join(folder, "out.c")
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.run([args.tfc, os.path.join(folder, "model.yaml"), "-o", out],
                           capture_output=True, text=True)
        ok = p.returncode == 1 and want in p.stderr and ": error: " in p.stderr and \
            not os.path.exists(out)
        first = (p.stderr.splitlines() or [""])[0]
        print("%s: %-26s rc=%d  %s" % ("ok" if ok else "FAIL", name, p.returncode, first))
        failures += not ok
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
