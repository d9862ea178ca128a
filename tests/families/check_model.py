"""check_model.py — one family test: a tiny random model against its PyTorch reference.

    check_model.py --tfc TFC --cc CC --cflags FLAGS --work DIR --case CASE --modes M1,M2,...

CASE picks the model (see make_case), each MODE how tfc runs it:
    O0, O2   compile with tfc -On --main, build with CC FLAGS, run the program
             with --logits (one forward call) and, for decoders, --incremental
             (one call per token through the KV cache) and a short greedy
             --generate checked against the reference's arg-max continuation;
    interp   tfc --interpret --tokens ... --logits (the IR interpreter).
Every output must be within 1e-4 x max|reference| (max abs error) of the
float64 PyTorch reference (tests/ref/llama_ref.py, bert_ref.py).
"""
import argparse
import os
import shlex
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ref"))
from llama_ref import llama_logits, make_llama, write_llama2c, write_yaml  # noqa: E402
from bert_ref import bert_hidden, make_bert  # noqa: E402

LLAMA = dict(vocab_size=96, hidden_size=64, intermediate_size=88, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=32,
             rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True)
BERT = dict(vocab_size=80, hidden_size=48, intermediate_size=72, num_hidden_layers=2,
            num_attention_heads=4, max_position_embeddings=24, type_vocab_size=2,
            layer_norm_eps=1e-12, hidden_act="gelu")
TOKENS = [1, 17, 5, 60, 33, 2, 79, 44, 44, 9, 71, 26, 0]


def make_case(case, folder):
    """Writes the case's model; returns (tfc input path, reference function of
    the token list, is_decoder)."""
    if case == "llama_gqa_tied":          # model.yaml, GQA 4/2, tied, theta 1e4
        w = make_llama(folder, LLAMA, seed=1)
        return os.path.join(folder, "model.yaml"), lambda t: llama_logits(w, LLAMA, t), True
    if case == "llama_mha_untied_hf":     # HF folder, plain MHA, untied lm_head, theta 5e5
        cfg = dict(LLAMA, num_key_value_heads=4, rope_theta=500000.0, tie_word_embeddings=False)
        w = make_llama(folder, cfg, seed=2, hf=True)
        return folder, lambda t: llama_logits(w, cfg, t), True
    if case == "llama2c_untied":          # llama2.c .bin, GQA, separate classifier
        cfg = dict(LLAMA, tie_word_embeddings=False)
        w = make_llama(folder, cfg, seed=3)
        write_llama2c(os.path.join(folder, "model.bin"), cfg, w)
        write_yaml(os.path.join(folder, "l2c.yaml"), "tiny_l2c", "llama", None, "model.bin",
                   "weights_format: llama2c\n")
        return (os.path.join(folder, "l2c.yaml"),
                lambda t: llama_logits(w, cfg, t, interleaved=True), True)
    if case == "bert":                    # model.yaml, plain names
        w = make_bert(folder, BERT, seed=4)
        return os.path.join(folder, "model.yaml"), lambda t: bert_hidden(w, BERT, t), False
    if case == "bert_hf_prefix":          # HF folder, "bert." prefix, pooler present
        w = make_bert(folder, BERT, seed=5, prefix="bert.", hf=True)
        return folder, lambda t: bert_hidden(w, BERT, t), False
    raise SystemExit("unknown case " + case)


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        print("FAILED (%d): %s\n%s%s" % (p.returncode, " ".join(map(shlex.quote, cmd)),
                                         p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def compare(what, path, ref):
    got = np.fromfile(path, dtype="<f4").astype(np.float64)
    ref = ref.numpy()
    if got.size != ref.size:
        print("FAIL %s: %d floats, expected %d" % (what, got.size, ref.size))
        return False
    err, bound = np.abs(got - ref.reshape(-1)).max(), 1e-4 * np.abs(ref).max()
    print("%s %s: max abs error %.3g (bound %.3g, max |ref| %.3g)" %
          ("ok" if err <= bound else "FAIL", what, err, bound, np.abs(ref).max()))
    return err <= bound


def greedy_reference(ref_fn, n):
    """The reference's greedy continuation after TOKENS: up to n arg-max ids,
    stopping early where the top two logits are too close to call."""
    ids = list(TOKENS)
    for _ in range(n):
        row = ref_fn(ids)[-1]
        top = row.topk(2).values
        if top[0] - top[1] < 1e-3 * row.abs().max():
            break
        ids.append(int(row.argmax()))
    return ids[len(TOKENS):]


def check_generate(exe, ref_fn, n=4):
    want = greedy_reference(ref_fn, n)
    got = run([exe, "--tokens", " ".join(map(str, TOKENS)), "--generate", str(n),
               "--temperature", "0"]).split()
    ok = got[:len(want)] == [str(i) for i in want]
    print("%s greedy --generate %d: %s (reference %s)" % ("ok" if ok else "FAIL", n,
                                                            " ".join(got), want))
    return ok


def check_compiled(args, mode, src, ref_fn, ref, decoder):
    exe, toks = os.path.join(args.work, "model_" + mode), " ".join(map(str, TOKENS))
    run([args.tfc, src, "-" + mode, "--main", "-o", exe + ".c"])
    run([args.cc] + shlex.split(args.cflags) + [exe + ".c", "-o", exe, "-lm", "-lpthread"])
    run([exe, "--tokens", toks, "--logits", exe + ".f32"])
    ok = compare(mode + " one call", exe + ".f32", ref)
    if decoder:
        run([exe, "--tokens", toks, "--incremental", "--logits", exe + "_inc.f32"])
        ok &= compare(mode + " incremental", exe + "_inc.f32", ref)
        ok &= check_generate(exe, ref_fn)
    return ok


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--work", "--case", "--modes"):
        ap.add_argument(a, required=a not in ("--cc", "--cflags"), default="")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    src, ref_fn, decoder = make_case(args.case, os.path.join(args.work, "in"))
    ref, ok = ref_fn(TOKENS), True
    for mode in args.modes.split(","):
        if mode == "interp":
            out = os.path.join(args.work, "interp.f32")
            run([args.tfc, src, "--interpret", "--tokens", " ".join(map(str, TOKENS)),
                 "--logits", out])
            ok &= compare("interpreter", out, ref)
        else:
            ok &= check_compiled(args, mode, src, ref_fn, ref, decoder)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
