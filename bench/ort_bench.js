// ort_bench.js — times ONNX Runtime (CPU provider, onnxruntime-node) on the
// benchmark's graphs: prefill (128 tokens) and one decode step after 127
// cached.  bench/run.sh calls it as
//   node bench/ort_bench.js MODEL_DIR THREADS RUNS
// and reads "prefill_ms X" / "decode_ms X" (medians after one warm-up run).
'use strict';
const ort = require('onnxruntime-node');
const fs = require('fs');
const path = require('path');

function median(a) {
  const s = a.slice().sort((x, y) => x - y), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

async function time(session, feeds, runs) {
  const t = [];
  for (let r = 0; r <= runs; r++) {   // run 0 warms up
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(t.slice(1));
}

async function main() {
  const [dir, threads, runs] = [process.argv[2], +process.argv[3], +process.argv[4]];
  const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
                 graphOptimizationLevel: 'all', executionProviders: ['cpu'] };
  const ids = fs.readFileSync(path.join(dir, 'tokens.txt'), 'utf8').trim().split(/\s+/).map(BigInt);
  const prefill = await ort.InferenceSession.create(path.join(dir, 'prefill.onnx'), opts);
  const all = new ort.Tensor('int64', BigInt64Array.from(ids), [ids.length]);
  console.log('prefill_ms ' + (await time(prefill, { ids: all }, runs)).toFixed(3));
  // The decode graph's past k/v: what prefill of the first 127 tokens leaves.
  const out = await prefill.run({ ids: all });
  const cut = (t) => {
    const [L, H, S, hd] = t.dims, d = new Float32Array(L * H * (S - 1) * hd);
    for (let i = 0; i < L * H; i++)
      d.set(t.data.subarray(i * S * hd, i * S * hd + (S - 1) * hd), i * (S - 1) * hd);
    return new ort.Tensor('float32', d, [L, H, S - 1, hd]);
  };
  const decode = await ort.InferenceSession.create(path.join(dir, 'decode.onnx'), opts);
  const feeds = { ids: new ort.Tensor('int64', BigInt64Array.from(ids.slice(-1)), [1]),
                  past_k: cut(out.present_k), past_v: cut(out.present_v) };
  console.log('decode_ms ' + (await time(decode, feeds, runs)).toFixed(3));
}

main().catch((e) => { console.error('ort_bench: ' + e.message); process.exit(1); });
