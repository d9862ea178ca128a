"""make_models.py — the tiny models the style and fault tests compile.

    make_models.py WORK MAKE_WEIGHTS SRC

writes WORK/gpt2 (the example model.yaml, shrunk, weights from tfc-make-weights),
WORK/llama (model.yaml, GQA), WORK/bert (model.yaml) and WORK/llama2c (a llama2.c
checkpoint read through a model.yaml), each small enough to compile in well under
a second.  The weights come from the reference writers of tests/ref, so these are
the same formats the reference tests check numerically.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ref"))
from llama_ref import make_llama, write_llama2c, write_yaml  # noqa: E402
from bert_ref import make_bert  # noqa: E402

LLAMA = dict(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8,
             rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True)
BERT = dict(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=1,
            num_attention_heads=2, max_position_embeddings=8, type_vocab_size=2,
            layer_norm_eps=1e-12, hidden_act="gelu")
GPT2 = dict(vocab_size=32, n_positions=8, n_embd=16, n_layer=1)


def make_gpt2(folder, make_weights, src):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(src, "examples", "tiny_gpt2", "model.yaml")) as f:
        text = f.read()
    for key, value in GPT2.items():
        text = re.sub(r"(?m)^  %s: .*$" % key, "  %s: %d" % (key, value), text)
    with open(os.path.join(folder, "model.yaml"), "w") as f:
        f.write(text)
    subprocess.run([make_weights, os.path.join(folder, "tiny_gpt2.safetensors"),
                    *(str(GPT2[k]) for k in ("vocab_size", "n_positions", "n_embd", "n_layer")),
                    "7"], check=True)


def main():
    work, make_weights, src = sys.argv[1:4]
    make_gpt2(os.path.join(work, "gpt2"), make_weights, src)
    make_llama(os.path.join(work, "llama"), LLAMA, seed=11)
    make_bert(os.path.join(work, "bert"), BERT, seed=12)
    folder = os.path.join(work, "llama2c")
    w = make_llama(folder, dict(LLAMA, tie_word_embeddings=False), seed=13)
    write_llama2c(os.path.join(folder, "model.bin"), LLAMA, w)
    write_yaml(os.path.join(folder, "model.yaml"), "tiny_l2c", "llama", None, "model.bin",
               "weights_format: llama2c\n")


if __name__ == "__main__":
    main()
