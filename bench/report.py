#!/usr/bin/python3
"""Formats bench/run.sh's measurements (OUT/results.tsv, meta.tsv, gemm_*.md)
as the Markdown tables of bench/README.md.

    /usr/bin/python3 bench/report.py bench/out > bench/out/results.md
"""
import collections
import os
import sys

NAMES = {"gpt2s": "GPT-2 small (12 x 768, 12 heads, vocab 50257)",
         "llama": "Llama shape (8 x 512, 8 heads / 2 KV, FFN 1376, vocab 32000)",
         "smollm2": "SmolLM2-135M-Instruct (30 x 576, 9 heads / 3 KV, FFN 1536, vocab 49152)"}
MODELS = ("gpt2s", "llama", "smollm2")
PEERS = ("tfc", "pytorch", "pytorch-openblas-default", "onnxruntime", "llama.cpp-f32",
         "llama.cpp-f16")
RATIOS = (("ORT", "onnxruntime"), ("PyTorch", "pytorch"), ("llama.cpp F32", "llama.cpp-f32"))


def main():
    out = sys.argv[1]
    ms, extra = collections.defaultdict(dict), collections.defaultdict(dict)
    for line in open(os.path.join(out, "results.tsv")):
        model, peer, threads, what, value = line.rstrip("\n").split("\t")
        if peer in ("check", "weights", "bandwidth", "peak"):
            extra[(model, peer)][(int(threads), what)] = float(value)
        else:
            ms[(model, what)][(peer, int(threads))] = float(value)
    meta = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(out, "meta.tsv")))
    print("Machine: %s  \nload average before / after: %s / %s  \n%s; PyTorch %s; ONNX Runtime %s "
          "(PyPI onnxruntime, CPU); llama.cpp through llama-cpp-python %s (%s); OpenBLAS %s (%s); "
          "medians of %s runs after one warm-up.\n" %
          (meta.get("cpu"), meta.get("load_before"), meta.get("load_after"), meta.get("cc"),
           meta.get("torch"), meta.get("onnxruntime"), meta.get("llama_cpp"),
           meta.get("llama_cpp_system"), meta.get("openblas"), meta.get("openblas_env"),
           meta.get("runs")))
    bw = extra.get(("all", "bandwidth"), {})
    print_times(ms)
    print_smollm2_rates(ms.get(("smollm2", "prefill"), {}), ms.get(("smollm2", "decode"), {}))
    for model in MODELS:
        chk, wb = extra.get((model, "check"), {}), extra.get((model, "weights"), {})
        if not chk:
            continue
        print("- %s: tfc prefill logits vs PyTorch: max abs error %.3g (max |logit| %.3g)." %
              (NAMES[model], chk.get((0, "max_abs_err"), float("nan")),
               chk.get((0, "max_abs_ref"), float("nan"))))
        gb = wb.get((0, "bytes"), 0) / 1e9
        for t in (1, 2):
            g = bw.get((t, "read_gbs"))
            d = ms.get((model, "decode"), {}).get(("tfc", t))
            if g and d:
                bound = gb / g * 1e3
                print("  Decode, %d thread%s: %.0f MB of weights read per step / %.1f GB/s measured = "
                      "%.1f ms to read them once; tfc's step %.1f ms = %.2fx that." %
                      (t, "" if t == 1 else "s", gb * 1e3, g, bound, d, d / bound))
    for t in (1, 2):
        path = os.path.join(out, "gemm_%d.md" % t)
        if os.path.exists(path):
            print("\nLinear kernels vs OpenBLAS sgemm/sgemv, %d thread%s (out = x W^T; tfc on "
                  "pre-packed weights):\n" % (t, "" if t == 1 else "s"))
            print(open(path).read().rstrip())
            print_peak(path, extra.get(("all", "peak"), {}).get((1, "fma_gflops")), t)


def print_times(ms):
    """One row per model, step and thread count: each peer's ms, then tfc's time over the
    peers' (below 1: tfc is faster)."""
    peers = [p for p in PEERS if any(p == k[0] for v in ms.values() for k in v)]
    ratios = [r for r in RATIOS if r[1] in peers]
    print("| model | step | threads | " + " | ".join(p + " ms" for p in peers) + " | " +
          " | ".join("tfc / %s time" % r[0] for r in ratios) + " |")
    print("|---|---|---|" + "---|" * (len(peers) + len(ratios)))
    for model in MODELS:
        for what in ("prefill", "decode"):
            row = ms.get((model, what))
            if not row:
                continue
            for t in (1, 2):
                tfc = row.get(("tfc", t))
                cells = ["%.1f" % row[(p, t)] if row.get((p, t)) else "-" for p in peers]
                cells += ["%.2f" % (tfc / row[(p, t)]) if tfc and row.get((p, t)) else "-"
                          for _, p in ratios]
                print("| %s | %s | %d | %s |" % (
                    model, what + (" 128" if what == "prefill" else " (127 cached)"), t,
                    " | ".join(cells)))
    print()


def print_smollm2_rates(prefill, decode):
    """SmolLM2 as tokens per second: prefill 128 tokens / its time, decode 1 / a step."""
    if not prefill:
        return
    peers = [p for p in PEERS if any(p == k[0] for k in prefill)]
    print("SmolLM2-135M, tokens/s (prefill: 128 / its time; decode: 1 / one step after 127 "
          "cached):\n")
    print("| step | threads | " + " | ".join(peers) + " | tfc / llama.cpp F32 speed |")
    print("|---|---|" + "---|" * (len(peers) + 1))
    for what, row, n in (("prefill 128", prefill, 128), ("decode", decode, 1)):
        for t in (1, 2):
            rate = {p: n * 1e3 / row[(p, t)] for p in peers if row.get((p, t))}
            ref = rate.get("llama.cpp-f32")
            print("| %s | %d | %s | %s |" % (
                what, t, " | ".join("%.1f" % rate[p] if p in rate else "-" for p in peers),
                "%.2f" % (rate["tfc"] / ref) if ref and "tfc" in rate else "-"))
    print()


def print_peak(path, peak, threads):
    """The 512^3 cube's GFLOP/s as a share of the measured per-core FMA peak."""
    if not peak:
        return
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith("cube"):
            gflops = float(cells[5])
            print("\nFMA peak measured by bench/peak.c: %.1f GFLOP/s per core (8-lane AVX2 FMA), "
                  "%.1f on %d; tfc on 512^3: %.1f GFLOP/s = %.0f %% of it." %
                  (peak, peak * threads, threads, gflops, 100 * gflops / (peak * threads)))


if __name__ == "__main__":
    main()
