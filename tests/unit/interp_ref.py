#!/usr/bin/python3
"""interp_ref.py OUTDIR — reference cases for the IR interpreter, computed with PyTorch.

For each op (and two composite blocks) this writes OUTDIR/NAME.tir, a graph in
textual IR, and OUTDIR/NAME.bin, its tensors: the constants by source name,
"tokens" (the input ids) and "expected" (the output, computed here in float64
with torch's own functions: F.linear, F.layer_norm, F.gelu, a rotate_half RoPE
as Hugging Face writes it, a complex-number RoPE as Meta's llama writes it,
attention from matmul/masked_fill/softmax).  OUTDIR/cases.txt lists the names.
test_ir_interp.c parses each graph, runs ir_interpret and compares.

.bin records: name, NULs up to a multiple of 4 bytes, u32 dtype (0 f32, 2 i32), u32 count, count values.
"""
import os
import struct
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
CASES = []


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def write_case(name, body, consts, tokens, expected, vocab, max_seq=64):
    """Writes NAME.tir (header + body + output) and NAME.bin."""
    head = "graph %s family=graph max_seq=%d vocab=%d {\n  input %%tokens : i32[T]\n" % (name, max_seq, vocab)
    decls = ""
    for cname, t in consts.items():
        dims = ",".join(str(d) for d in t.shape)
        decls += '  const %%%s : f32[%s] = "%s"\n' % (cname, dims, cname)
    with open(os.path.join(OUT, name + ".tir"), "w") as f:
        f.write(head + decls + body + "  output %out\n}\n")
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        def record(rname, dtype, values, fmt):
            name = rname.encode() + b"\0"
            name += b"\0" * (-len(name) % 4)  # keeps the data 4-byte aligned
            f.write(name + struct.pack("<II", dtype, len(values)))
            f.write(struct.pack("<%d%s" % (len(values), fmt), *values))
        for cname, t in consts.items():
            record(cname, 0, t.float().flatten().tolist(), "f")
        record("tokens", 2, list(tokens), "i")
        record("expected", 0, expected.float().flatten().tolist(), "f")
    CASES.append(name)


def x_case(name, T, D, body, consts, fn):
    """A case whose activation %x : f32[T,D] is the embedding of tokens 0..T-1
    in table %xt, so ops see a T-shaped input; fn(x) gives the expected output."""
    x = rand(T, D)
    consts = {"xt": x, **consts}
    pre = "  %%x : f32[T,%d] = embedding %%xt, %%tokens\n" % D
    write_case(name, pre + body, consts, range(T), fn(x), vocab=T)


def f32(t):
    """Rounds to float32 and back, as the constants the interpreter reads."""
    return t.float().double()


# ---- embeddings and positions ----
table = rand(10, 6)
ids = [3, 1, 4, 1, 5, 9, 2]
write_case("embedding", "  %out : f32[T,6] = embedding %table, %tokens\n", {"table": table}, ids,
           f32(table)[ids], vocab=10)
wpe = rand(16, 4)
write_case("positions", "  %pos : i32[T] = positions\n  %out : f32[T,4] = embedding %wpe, %pos\n",
           {"wpe": wpe}, [7, 7, 0, 2, 5], f32(wpe)[:5], vocab=8, max_seq=16)
tte = rand(2, 4)
write_case("token_type", "  %tt : i32[T] = token_type\n  %out : f32[T,4] = embedding %tte, %tt\n",
           {"tte": tte}, [1, 2, 3], f32(tte)[[0, 0, 0]], vocab=8)

# ---- dense algebra ----
w, b = rand(5, 7), rand(5)
x_case("linear_nk_bias", 4, 7, "  %out : f32[T,5] = linear %x, %w, %b w_layout=0\n", {"w": w, "b": b},
       lambda x: F.linear(f32(x), f32(w), f32(b)))
wkn = rand(7, 3)
x_case("linear_kn", 4, 7, "  %out : f32[T,3] = linear %x, %w w_layout=1\n", {"w": wkn},
       lambda x: f32(x) @ f32(wkn))
wa, ba = rand(7, 7), rand(7)
x_case("linear_act_residual", 4, 7,
       "  %r : f32[T,7] = relu %x\n  %out : f32[T,7] = linear %x, %w, %b, %r w_layout=1 act=silu\n",
       {"w": wa, "b": ba}, lambda x: F.silu(f32(x) @ f32(wa) + f32(ba)) + F.relu(f32(x)))
mb = rand(6, 9)
x_case("matmul", 5, 6, "  %out : f32[T,9] = matmul %x, %b\n", {"b": mb}, lambda x: f32(x) @ f32(mb))
row = rand(6)
for op, fn in (("add", torch.add), ("sub", torch.sub), ("mul", torch.mul)):
    x_case(op + "_row", 3, 6, "  %%out : f32[T,6] = %s %%x, %%row\n" % op, {"row": row},
           lambda x, fn=fn: fn(f32(x), f32(row)))
x_case("mul_same", 3, 6, "  %out : f32[T,6] = mul %x, %x\n", {}, lambda x: f32(x) * f32(x))
x_case("scale", 3, 6, "  %out : f32[T,6] = scale %x scale=-0.375\n", {}, lambda x: f32(x) * -0.375)

# ---- normalizations and activations ----
g, bb = rand(8), rand(8)
x_case("layernorm", 4, 8, "  %out : f32[T,8] = layernorm %x, %g, %b eps=1e-05\n", {"g": g, "b": bb},
       lambda x: F.layer_norm(f32(x), (8,), f32(g), f32(bb), 1e-5))
x_case("rmsnorm", 4, 8, "  %out : f32[T,8] = rmsnorm %x, %g eps=1e-06\n", {"g": g},
       lambda x: f32(x) * torch.rsqrt(f32(x).pow(2).mean(-1, keepdim=True) + 1e-6) * f32(g))
for op, fn in (("gelu", lambda x: F.gelu(x)), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
               ("relu", F.relu), ("silu", F.silu), ("softmax", lambda x: F.softmax(x, dim=-1))):
    # inputs scaled by 3 in the graph to reach the functions' tails
    x_case(op, 4, 8, "  %%x3 : f32[T,8] = scale %%x scale=3\n  %%out : f32[T,8] = %s %%x3\n" % op, {},
           lambda x, fn=fn: fn(f32(x) * 3))
# swiglu (passes/fuse_swiglu.c): gate is the first half of the row, up the second
x_case("swiglu", 4, 10, "  %x3 : f32[T,10] = scale %x scale=3\n  %out : f32[T,5] = swiglu %x3\n", {},
       lambda x: F.silu(f32(x)[:, :5] * 3) * (f32(x)[:, 5:] * 3))


# ---- rotary embeddings ----
def rope_hf(x, heads, hd, theta):
    """Hugging Face: rotate_half on each head, cos/sin of cat(freqs, freqs)."""
    T = x.shape[0]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    q = x.view(T, heads, hd)
    x1, x2 = q[..., : hd // 2], q[..., hd // 2:]
    rot = torch.cat((-x2, x1), dim=-1)
    return (q * emb.cos()[:, None, :] + rot * emb.sin()[:, None, :]).reshape(T, heads * hd)


def rope_meta(x, heads, hd, theta):
    """Meta's llama / llama2.c: consecutive pairs as complex numbers times e^(i t f)."""
    T = x.shape[0]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.polar(torch.ones(T, hd // 2, dtype=torch.float64),
                        torch.outer(torch.arange(T, dtype=torch.float64), inv_freq))
    xc = torch.view_as_complex(x.view(T, heads, hd // 2, 2).contiguous())
    return torch.view_as_real(xc * freqs[:, None, :]).reshape(T, heads * hd)


x_case("rope_halves", 6, 12, "  %out : f32[T,12] = rope %x heads=2 head_dim=6 rope_theta=10000 rope_style=halves\n",
       {}, lambda x: rope_hf(f32(x), 2, 6, 10000.0))
x_case("rope_interleaved", 6, 12,
       "  %out : f32[T,12] = rope %x heads=3 head_dim=4 rope_theta=500 rope_style=interleaved\n",
       {}, lambda x: rope_meta(f32(x), 3, 4, 500.0))


# ---- attention ----
def attention(q, k, v, H, KVH, hd, causal, window, scale):
    T = q.shape[0]
    qh = q.view(T, H, hd).transpose(0, 1)
    kh = k.view(T, KVH, hd).transpose(0, 1).repeat_interleave(H // KVH, dim=0)
    vh = v.view(T, KVH, hd).transpose(0, 1).repeat_interleave(H // KVH, dim=0)
    s = (qh @ kh.transpose(1, 2)) * (scale if scale else hd ** -0.5)
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    mask = torch.zeros(T, T, dtype=torch.bool)
    if causal:
        mask |= j > i
    if window:
        mask |= j <= i - window
    s = s.masked_fill(mask, float("-inf"))
    return (torch.softmax(s, dim=-1) @ vh).transpose(0, 1).reshape(T, H * hd)


def attn_case(name, T, H, KVH, hd, causal, window, scale):
    wk, wv = rand(KVH * hd, H * hd), rand(KVH * hd, H * hd)
    flags = (" causal" if causal else "") + " window=%d scale=%s" % (window, repr(scale))
    body = ("  %%k : f32[T,%d] = linear %%x, %%wk w_layout=0\n" % (KVH * hd) +
            "  %%v : f32[T,%d] = linear %%x, %%wv w_layout=0\n" % (KVH * hd) +
            "  %%out : f32[T,%d] = attention %%x, %%k, %%v heads=%d kv_heads=%d head_dim=%d%s\n"
            % (H * hd, H, KVH, hd, flags))

    def fn(x):
        x = f32(x)
        return attention(x, F.linear(x, f32(wk)), F.linear(x, f32(wv)), H, KVH, hd, causal, window, scale)
    x_case(name, T, H * hd, body, {"wk": wk, "wv": wv}, fn)


attn_case("attention_causal", 7, 4, 4, 3, True, 0, 0)
attn_case("attention_gqa", 7, 4, 2, 3, True, 0, 0.25)
attn_case("attention_window", 9, 2, 1, 4, True, 3, 0)
attn_case("attention_bidirectional", 5, 2, 2, 4, False, 0, 0)

# ---- layout ----
x_case("slice", 3, 10, "  %out : f32[T,4] = slice %x axis=-1 start=5 length=4\n", {},
       lambda x: f32(x)[:, 5:9])
cc = rand(3, 10)
x_case("concat_cols", 3, 10, "  %c : f32[T,10] = embedding %cc, %tokens\n  %out : f32[T,20] = concat %x, %c axis=1\n",
       {"cc": cc}, lambda x: torch.cat((f32(x), f32(cc)), dim=1))
x_case("transpose", 4, 6,
       "  %r : f32[T,2,3] = reshape %x to_shape=[T,2,3]\n  %t : f32[3,T,2] = transpose %r perm=[2,0,1]\n"
       "  %out : f32[3,T,2] = relu %t\n", {}, lambda x: F.relu(f32(x).view(4, 2, 3).permute(2, 0, 1)))
fixed = rand(2, 3, 4)
write_case("slice_concat_fixed",
           "  %a : f32[2,3,2] = slice %f axis=2 start=1 length=2\n  %out : f32[4,3,2] = concat %a, %a axis=0\n",
           {"f": fixed}, [0], torch.cat((f32(fixed)[:, :, 1:3], f32(fixed)[:, :, 1:3]), 0), vocab=1)


# ---- composite blocks ----
def llama_block():
    """A Llama decoder layer (RMSNorm, RoPE halves, GQA, SwiGLU) and its lm head."""
    T, D, H, KVH, hd, F_, V = 6, 16, 4, 2, 4, 24, 11
    p = {n: rand(*s) * 0.5 for n, s in dict(emb=(V, D), n1=(D,), wq=(H * hd, D), wk=(KVH * hd, D),
                                            wv=(KVH * hd, D), wo=(D, H * hd), n2=(D,), wg=(F_, D),
                                            wu=(F_, D), wd=(D, F_), nf=(D,), head=(V, D)).items()}
    toks = [3, 10, 0, 7, 7, 2]
    q = {n: f32(t) for n, t in p.items()}

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * g
    x = q["emb"][toks]
    h = rms(x, q["n1"])
    a = attention(rope_hf(F.linear(h, q["wq"]), H, hd, 10000.0), rope_hf(F.linear(h, q["wk"]), KVH, hd, 10000.0),
                  F.linear(h, q["wv"]), H, KVH, hd, True, 0, 0)
    x = x + F.linear(a, q["wo"])
    h = rms(x, q["n2"])
    x = x + F.linear(F.silu(F.linear(h, q["wg"])) * F.linear(h, q["wu"]), q["wd"])
    logits = F.linear(rms(x, q["nf"]), q["head"])
    body = """  %x : f32[T,16] = embedding %emb, %tokens
  layer "model.layers.0" {
    %h : f32[T,16] = rmsnorm %x, %n1 eps=1e-05
    %q : f32[T,16] = linear %h, %wq w_layout=0
    %k : f32[T,8] = linear %h, %wk w_layout=0
    %v : f32[T,8] = linear %h, %wv w_layout=0
    %qr : f32[T,16] = rope %q heads=4 head_dim=4 rope_theta=10000 rope_style=halves
    %kr : f32[T,8] = rope %k heads=2 head_dim=4 rope_theta=10000 rope_style=halves
    %a : f32[T,16] = attention %qr, %kr, %v heads=4 kv_heads=2 head_dim=4 causal window=0 scale=0
    %o : f32[T,16] = linear %a, %wo w_layout=0
    %x1 : f32[T,16] = add %x, %o
    %h2 : f32[T,16] = rmsnorm %x1, %n2 eps=1e-05
    %gate : f32[T,24] = linear %h2, %wg w_layout=0
    %act : f32[T,24] = silu %gate
    %up : f32[T,24] = linear %h2, %wu w_layout=0
    %gu : f32[T,24] = mul %act, %up
    %down : f32[T,16] = linear %gu, %wd w_layout=0
    %x2 : f32[T,16] = add %x1, %down
  }
  %hf : f32[T,16] = rmsnorm %x2, %nf eps=1e-05
  %out : f32[T,11] = linear %hf, %head w_layout=0
"""
    write_case("llama_block", body, p, toks, logits, vocab=V, max_seq=8)


def gpt2_block():
    """A GPT-2 layer (pre-LN, Conv1D weights [in,out], fused qkv sliced, gelu_new), tied head."""
    T, D, H, V, S = 5, 12, 3, 13, 8
    hd = D // H
    p = {n: rand(*s) * 0.5 for n, s in dict(wte=(V, D), wpe=(S, D), g1=(D,), b1=(D,), wqkv=(D, 3 * D),
                                            bqkv=(3 * D,), wp=(D, D), bp=(D,), g2=(D,), b2=(D,),
                                            wfc=(D, 4 * D), bfc=(4 * D,), wpr=(4 * D, D), bpr=(D,),
                                            gf=(D,), bf=(D,)).items()}
    toks = [12, 0, 5, 5, 1]
    q = {n: f32(t) for n, t in p.items()}
    x = q["wte"][toks] + q["wpe"][:T]
    h = F.layer_norm(x, (D,), q["g1"], q["b1"], 1e-5)
    qkv = h @ q["wqkv"] + q["bqkv"]
    a = attention(qkv[:, :D], qkv[:, D:2 * D], qkv[:, 2 * D:], H, H, hd, True, 0, 0)
    x = x + a @ q["wp"] + q["bp"]
    h = F.layer_norm(x, (D,), q["g2"], q["b2"], 1e-5)
    x = x + F.gelu(h @ q["wfc"] + q["bfc"], approximate="tanh") @ q["wpr"] + q["bpr"]
    logits = F.linear(F.layer_norm(x, (D,), q["gf"], q["bf"], 1e-5), q["wte"])
    body = """  %tok : f32[T,12] = embedding %wte, %tokens
  %pos : i32[T] = positions
  %pe : f32[T,12] = embedding %wpe, %pos
  %x : f32[T,12] = add %tok, %pe
  layer "h.0" {
    %ln_1 : f32[T,12] = layernorm %x, %g1, %b1 eps=1e-05
    %qkv : f32[T,36] = linear %ln_1, %wqkv, %bqkv w_layout=1
    %q : f32[T,12] = slice %qkv axis=1 start=0 length=12
    %k : f32[T,12] = slice %qkv axis=1 start=12 length=12
    %v : f32[T,12] = slice %qkv axis=1 start=24 length=12
    %a : f32[T,12] = attention %q, %k, %v heads=3 kv_heads=3 head_dim=4 causal window=0 scale=0
    %proj : f32[T,12] = linear %a, %wp, %bp w_layout=1
    %x1 : f32[T,12] = add %x, %proj
    %ln_2 : f32[T,12] = layernorm %x1, %g2, %b2 eps=1e-05
    %fc : f32[T,48] = linear %ln_2, %wfc, %bfc w_layout=1
    %act : f32[T,48] = gelu_tanh %fc
    %mlp : f32[T,12] = linear %act, %wpr, %bpr w_layout=1
    %x2 : f32[T,12] = add %x1, %mlp
  }
  %ln_f : f32[T,12] = layernorm %x2, %gf, %bf eps=1e-05
  %out : f32[T,13] = linear %ln_f, %wte w_layout=0
"""
    write_case("gpt2_block", body, p, toks, logits, vocab=V, max_seq=S)


llama_block()
gpt2_block()
with open(os.path.join(OUT, "cases.txt"), "w") as f:
    f.write("\n".join(CASES) + "\n")
print("wrote %d cases to %s" % (len(CASES), OUT))
