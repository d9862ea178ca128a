"""check_llama2c.py — the real llama2.c checkpoints against their goldens.

    check_llama2c.py --tfc TFC --cc CC --cflags FLAGS --models DIR --work DIR --check CHECK

CHECK (a comma-separated list) goldens: stories260K and aidreams260K compiled with tfc -O2 --main;
    greedy decoding must reproduce G1-G4 of DIR/README.md exactly, as ids
    (--tokens BOS+prompt --generate N) and as text (--tokenizer --prompt
    --generate N, where N counts the positions after BOS, prompt included,
    like llama2.c's -n).
CHECK anchor: the logits of BOS at position 0 (sum, sum of squares, top 5)
    from the generated C at -O2 (--opt) and -O0 and from tfc's interpreter.
Exits 77 (skipped) with a message when the checkpoints are absent.
"""
import argparse
import os
import shlex
import subprocess
import sys

import numpy as np

G1 = """403 407 261 378 432 383 286 261 376 298 315 421 395 317 426 338 401 396 267 337 410 408
419 292 411 322 265 282 295 433 426 385 328 432 358 394 261 370 432 352 266 268 388 426 338 391
266 267 337 335 312 432 398 312 286 267 414 270 333 415 426 13 438 310"""
G1_TEXT = ("Once upon a time, there was a little girl named Lily. She loved to play outside in the "
           "park. One day, she saw a big, red ball. She wanted to play with it, but it was too "
           "high.\nLily")
G2 = G1 + """ 439 419 357 336 432 313 438 310 432 278 316 439 419 298 414 267 265 282 295 433 426
436 317 286 296 418 269 279 292 416 439 413 409 416 327 263 415 294 267 400 426 338 336 432 313 442
391 267 337 335 364 420 268 388 432 398 359 280 303 439 413 272 417 264 312 426 436 13 438 310 286
296 418 269 279 292 416 439 413 409 416 327 263 415 294 267 400 426 338 336 432 313 442 439 423 262
304 420 422 432 317 426 359 279 292 416 439 413 409 416 327 263 415 294 267 400 426 436 13 438 310
279 292 416 439 413 391 267 281 421 427 311 357 432 384 358 336 432 313 442 439 423 262 304 420 422
432 357 426 359 279 292 416 439 413 409 416 327 263 415 294 267 400 426 436 320 285 357 336 432 313
455 289 439 413 263 304 420 422 432 317 426 410 448 411 280 303 281 421 427 364 426"""
G3 = """274 287 381 261 352 266 280 295 426 346 397 355 267 337 335 345 267 422 419 426 346 397
355 267 337 335 345 267 422 419 269 352 379 261 420 277 264 265 352 414 287 426 346 397 355 267
337 335 345 267 422 419 269 352 379 261 420 277 264 265 352 414 287 426"""
G3_TEXT = ("Tom had a red car. He liked to play with his toys. He liked to play with his toys and "
           "run around the room. He liked to play with his toys and run around the room.")
G4 = """319 459 355 260 275 429 339 315 374 327 446 262 421 392 275 280 269 440 270 283 446 299
303 266 358 430 312 379 441 260 446 262 421 392 275 280 269 440 270 283 446 299 303 384 467 407
360 266 291 443 435 295 448 429 465 265 434 317 431 434 289 408 326 446"""
ANCHOR_SUM, ANCHOR_SUMSQ = -1070.1717, 16412.04
ANCHOR_TOP5 = [(403, 17.0235), (385, 15.4062), (410, 13.1083), (317, 12.7692), (407, 12.4181)]

failures = []


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAILED (%d): %s\n%s%s" % (p.returncode, " ".join(map(shlex.quote, cmd)),
                                         p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def expect(ok, what, detail=""):
    print("%s: %s%s" % ("ok" if ok else "FAIL", what, "" if ok else "\n  " + detail))
    if not ok:
        failures.append(what)


built = {}


def build(args, name, checkpoint, opt=None):
    """model.yaml for the checkpoint, then tfc and cc (once per name and level);
    returns the model.yaml and the program's paths."""
    opt = opt or args.opt
    if (name, opt) in built:
        return built[name, opt]
    yaml = os.path.join(args.work, name + ".yaml")
    with open(yaml, "w") as f:
        f.write("tfc: 1\nname: %s\nfamily: llama\nweights: %s\nweights_format: llama2c\n"
                % (name, os.path.abspath(os.path.join(args.models, checkpoint))))
    exe = os.path.join(args.work, name + opt)
    run([args.tfc, yaml, opt, "--main", "-o", exe + ".c"])
    run([args.cc] + shlex.split(args.cflags) + [exe + ".c", "-o", exe, "-lm", "-lpthread"])
    built[name, opt] = yaml, exe
    return yaml, exe


def check_ids(exe, prompt_ids, golden, what):
    want = golden.split()
    n_prompt = len(prompt_ids.split()) - 1          # after BOS
    got = run([exe, "--tokens", prompt_ids, "--generate", str(len(want) - n_prompt),
               "--temperature", "0"]).split()
    expect(got == want[n_prompt:], what + " ids", "got " + " ".join(got))


def check_text(exe, tok, prompt, positions, want, what):
    got = run([exe, "--tokenizer", tok, "--prompt", prompt, "--generate", str(positions),
               "--temperature", "0"])
    expect(got.rstrip("\n") == want, what + " text", "got %r" % got)


def check_sampling(exe):
    """Temperature and top-p sampling: the same seed gives the same ids, another seed others."""
    cmd = lambda seed, p: run([exe, "--tokens", "1", "--generate", "48", "--temperature", "0.9",
                               "--top-p", p, "--seed", seed]).split()
    for p in ("0.9", "1"):
        a, b, c = cmd("7", p), cmd("7", p), cmd("8", p)
        ok = a == b and a != c and len(a) == 48 and all(0 <= int(i) < 512 for i in a)
        expect(ok, "sampling top-p %s: seed 7 twice agrees, seed 8 differs" % p,
               "seed 7: %s / %s; seed 8: %s" % (" ".join(a), " ".join(b), " ".join(c)))


def goldens(args):
    tok = os.path.join(args.models, "tok512.bin")
    _, stories = build(args, "stories260K", "stories260K.bin")
    check_ids(stories, "1 403 407 261 378", G1, "G1")
    check_text(stories, tok, "Once upon a time", 64, G1_TEXT, "G1")
    check_ids(stories, "1", G2, "G2 (256 positions)")
    check_text(stories, tok, "", 64, G1_TEXT, "G2 (empty prompt, 64 positions)")
    check_ids(stories, "1 274 287 381 261 352 266 280 295", G3, "G3")
    check_text(stories, tok, "Tom had a red car", 64, G3_TEXT, "G3")
    check_sampling(stories)
    _, dreams = build(args, "aidreams260K", "aidreams260K.bin")
    check_ids(dreams, "1", G4, "G4 (aidreams260K)")


def check_anchor(path, what):
    x = np.fromfile(path, dtype="<f4").astype(np.float64)
    top = np.argsort(-x, kind="stable")[:5]
    ok = (x.size == 512 and abs(x.sum() - ANCHOR_SUM) <= 1e-3 and
          abs((x * x).sum() - ANCHOR_SUMSQ) <= 1e-2 and
          all(i == j and abs(x[i] - v) <= 1e-3 for i, (j, v) in zip(top, ANCHOR_TOP5)))
    expect(ok, what, "sum %.4f, sum of squares %.2f, top-5 %s" % (
        x.sum(), (x * x).sum(), " ".join("%d:%.4f" % (i, x[i]) for i in top)))


def anchor(args):
    for opt in (args.opt, "-O0"):
        yaml, exe = build(args, "stories260K", "stories260K.bin", opt)
        run([exe, "--tokens", "1", "--logits", exe + ".f32"])
        check_anchor(exe + ".f32", "anchor, generated C " + opt)
    out = os.path.join(args.work, "interp.f32")
    run([args.tfc, yaml, "--interpret", "--tokens", "1", "--logits", out])
    check_anchor(out, "anchor, interpreter")


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--models", "--work", "--check"):
        ap.add_argument(a, required=True)
    ap.add_argument("--opt", default="-O2", help="optimization level for the goldens")
    args = ap.parse_args()
    need = ["stories260K.bin", "tok512.bin", "aidreams260K.bin"]
    missing = [n for n in need if not os.path.exists(os.path.join(args.models, n))]
    if missing:
        print("SKIPPED: %s not found in %s (the real checkpoints live beside the project)"
              % (", ".join(missing), args.models))
        sys.exit(77)
    os.makedirs(args.work, exist_ok=True)
    for check in args.check.split(","):
        {"goldens": goldens, "anchor": anchor}[check](args)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
