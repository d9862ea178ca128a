#!/usr/bin/python3
"""Times the PyTorch peer on one benchmark model (bench/models.py's modules).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_bench.py MODEL_DIR NAME THREADS RUNS

Prints "prefill_ms X" (128 tokens -> logits, no cache) and "decode_ms X" (one
token after 127 cached, the present k/v computed too): medians of RUNS after
one warm-up run, under torch.no_grad with THREADS intra-op threads.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
from peer_timing import median_ms  # noqa: E402


def main():
    folder, name, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    model = models.load(name, folder)
    with open(os.path.join(folder, "tokens.txt")) as f:
        ids = torch.tensor([int(t) for t in f.read().split()], dtype=torch.int64)
    with torch.no_grad():
        print("prefill_ms %.3f" % median_ms(lambda: model(ids), runs))
        _, k, v = model(ids[:-1])
        print("decode_ms %.3f" % median_ms(lambda: model(ids[-1:], k, v), runs))


if __name__ == "__main__":
    main()
