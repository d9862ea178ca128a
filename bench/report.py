#!/usr/bin/python3
"""Formats bench/run.sh's measurements (OUT/results.tsv, meta.tsv, gemm_*.md)
as the Markdown tables of bench/README.md.

    /usr/bin/python3 bench/report.py bench/out > bench/out/results.md
"""
import collections
import os
import sys

NAMES = {"gpt2s": "GPT-2 small (12 x 768, 12 heads, vocab 50257)",
         "llama": "Llama shape (8 x 512, 8 heads / 2 KV, FFN 1376, vocab 32000)"}


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
          "(onnxruntime-node, CPU); OpenBLAS %s (%s); medians of %s runs after one warm-up.\n" %
          (meta.get("cpu"), meta.get("load_before"), meta.get("load_after"), meta.get("cc"),
           meta.get("torch"), meta.get("onnxruntime"), meta.get("openblas"),
           meta.get("openblas_env"), meta.get("runs")))
    bw = extra.get(("all", "bandwidth"), {})
    peers = [p for p in ("tfc", "pytorch", "pytorch-openblas-default", "onnxruntime")
             if any(p == k[0] for v in ms.values() for k in v)]
    print("| model | step | threads | " + " | ".join(p + " ms" for p in peers) +
          " | tfc / ORT time | tfc / PyTorch time |")
    print("|---|---|---|" + "---|" * (len(peers) + 2))
    for model in ("gpt2s", "llama"):
        for what in ("prefill", "decode"):
            row = ms.get((model, what))
            if not row:
                continue
            for t in (1, 2):
                v = [row.get((p, t)) for p in peers]
                tfc, ort, pt = row.get(("tfc", t)), row.get(("onnxruntime", t)), row.get(("pytorch", t))
                print("| %s | %s | %d | %s | %s | %s |" % (
                    model, what + (" 128" if what == "prefill" else " (127 cached)"), t,
                    " | ".join("%.1f" % x if x else "-" for x in v),
                    "%.2f" % (tfc / ort) if tfc and ort else "-",
                    "%.2f" % (tfc / pt) if tfc and pt else "-"))
    print()
    for model in ("gpt2s", "llama"):
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
