"""peer_timing.py — how the Python peers (torch_bench.py, ort_bench.py, llama_bench.py) time a
step, the same way bench_model.c times tfc: one warm-up call, then the median of RUNS."""
import statistics
import time


def median_ms(fn, runs):
    """fn() once to warm up, then the median of `runs` timed calls, in milliseconds."""
    fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t)
