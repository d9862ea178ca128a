"""Times llama.cpp (llama-cpp-python, CPU build of scripts/install-python-deps) on a GGUF:
prefill (128 tokens) and one decode step after 127 cached, as the other peers run them.

    .venv/bin/python bench/llama_bench.py MODEL.gguf TOKENS_FILE THREADS RUNS KV_TYPE

KV_TYPE is f32 or f16 (the KV cache's type; llama.cpp's default is f16).  Prints
"prefill_ms X" and "decode_ms X": medians of RUNS after one warm-up run, n_threads and
n_threads_batch = THREADS.  The prefill asks for the logits of all 128 positions
(logits_all), as tfc, PyTorch and ONNX Runtime compute them; each timed call also includes
llama-cpp-python's copy of those logits into its numpy buffer (25 MB for SmolLM2, about 1 ms).
"""
import sys

from llama_cpp import Llama

from peer_timing import median_ms

GGML_TYPE = {"f32": 0, "f16": 1}


def main():
    path, tokens, threads, runs, kv = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    with open(tokens) as f:
        ids = [int(t) for t in f.read().split()]
    llm = Llama(model_path=path, n_ctx=256, n_batch=256, n_ubatch=256, n_threads=threads,
                n_threads_batch=threads, logits_all=True, type_k=GGML_TYPE[kv],
                type_v=GGML_TYPE[kv], verbose=False)

    def prefill():
        llm.reset()          # eval drops the cache from n_tokens (0) on
        llm.eval(ids)

    def decode():
        llm.n_tokens = len(ids) - 1   # back to 127 cached; eval drops the last row
        llm.eval(ids[-1:])

    print("prefill_ms %.3f" % median_ms(prefill, runs), flush=True)
    llm.reset()
    llm.eval(ids[:-1])
    print("decode_ms %.3f" % median_ms(decode, runs))


if __name__ == "__main__":
    main()
