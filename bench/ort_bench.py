"""Times ONNX Runtime (PyPI's onnxruntime, CPU provider) on one benchmark model's graphs:
prefill (128 tokens) and one decode step after 127 cached.

    .venv/bin/python bench/ort_bench.py MODEL_DIR THREADS RUNS

Prints "prefill_ms X" and "decode_ms X": medians of RUNS after one warm-up run, with
intra_op_num_threads = THREADS, sequential execution, all graph optimizations.
"""
import os
import sys

import numpy as np
import onnxruntime as ort

from peer_timing import median_ms


def session(path, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])


def main():
    folder, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(os.path.join(folder, "tokens.txt")) as f:
        ids = np.array([int(t) for t in f.read().split()], dtype=np.int64)
    prefill = session(os.path.join(folder, "prefill.onnx"), threads)
    print("prefill_ms %.3f" % median_ms(lambda: prefill.run(None, {"ids": ids}), runs), flush=True)
    # the decode graph's past k/v [L, KVH, S, hd]: what the first 127 tokens leave
    _, k, v = prefill.run(None, {"ids": ids})
    feeds = {"ids": ids[-1:], "past_k": np.ascontiguousarray(k[:, :, :-1]),
             "past_v": np.ascontiguousarray(v[:, :, :-1])}
    del prefill
    decode = session(os.path.join(folder, "decode.onnx"), threads)
    print("decode_ms %.3f" % median_ms(lambda: decode.run(None, feeds), runs))


if __name__ == "__main__":
    main()
