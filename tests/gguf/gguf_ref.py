"""gguf_ref.py — transformers models built from GGUF files, independently of
tfc's C: the reference for tests/gguf/*.  Also writes small GGUF files the way
llama.cpp's convert_hf_to_gguf.py lays them out.

    reference_model(path) -> LlamaForCausalLM | GPT2LMHeadModel (float32, eval)
    write_gguf(path, arch, hf_state, config, types) -> the GGUF llama.cpp would write

Every tensor is dequantized with gguf-py (gguf.quants.dequantize); attn_q and
attn_k of a llama are un-permuted with the inverse of llama.cpp's `permute`
(its rows are in rotate-half order again); gpt2's [out, in] linears are
transposed back to Conv1D [in, out].
"""
import numpy as np
import torch
import gguf
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

LLAMA_LAYER = {"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj",
               "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
               "attn_output": "self_attn.o_proj", "ffn_norm": "post_attention_layernorm",
               "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
LLAMA_TOP = {"token_embd": "model.embed_tokens", "output_norm": "model.norm", "output": "lm_head"}
GPT2_LAYER = {"attn_norm": "ln_1", "attn_qkv": "attn.c_attn", "attn_output": "attn.c_proj",
              "ffn_norm": "ln_2", "ffn_up": "mlp.c_fc", "ffn_down": "mlp.c_proj"}
GPT2_TOP = {"token_embd": "wte", "position_embd": "wpe", "output_norm": "ln_f", "output": "lm_head"}
CONV1D = ("attn_qkv", "attn_output", "ffn_up", "ffn_down")


def permute(w, n_head):
    """llama.cpp's permute: HF rotate-half rows -> adjacent pairs."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute(w, n_head):
    """The inverse of permute."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def hf_name(arch, gguf_name):
    """(HF name, kind) for a GGUF tensor name; kind is the GGUF short name."""
    parts = gguf_name.split(".")
    layer_map, top_map = (LLAMA_LAYER, LLAMA_TOP) if arch == "llama" else (GPT2_LAYER, GPT2_TOP)
    if parts[0] == "blk":
        prefix = "model.layers.%s." % parts[1] if arch == "llama" else "h.%s." % parts[1]
        return prefix + layer_map[parts[2]] + "." + parts[3], parts[2]
    return top_map[parts[0]] + "." + parts[1], parts[0]


def field(r, key, default=None):
    return r.fields[key].contents() if key in r.fields else default


def config_of(r, arch):
    a = arch + "."
    n_vocab = len(r.fields["tokenizer.ggml.tokens"].data) if "tokenizer.ggml.tokens" in r.fields else \
        [int(t.shape[1]) for t in r.tensors if t.name == "token_embd.weight"][0]
    tied = "output.weight" not in [t.name for t in r.tensors]
    if arch == "llama":
        return LlamaConfig(
            vocab_size=n_vocab, hidden_size=field(r, a + "embedding_length"),
            intermediate_size=field(r, a + "feed_forward_length"),
            num_hidden_layers=field(r, a + "block_count"),
            num_attention_heads=field(r, a + "attention.head_count"),
            num_key_value_heads=field(r, a + "attention.head_count_kv", field(r, a + "attention.head_count")),
            max_position_embeddings=field(r, a + "context_length"),
            rms_norm_eps=field(r, a + "attention.layer_norm_rms_epsilon"),
            rope_theta=field(r, a + "rope.freq_base", 10000.0), tie_word_embeddings=tied,
            attn_implementation="eager")
    return GPT2Config(
        vocab_size=n_vocab, n_positions=field(r, a + "context_length"),
        n_embd=field(r, a + "embedding_length"), n_layer=field(r, a + "block_count"),
        n_head=field(r, a + "attention.head_count"), n_inner=field(r, a + "feed_forward_length"),
        layer_norm_epsilon=field(r, a + "attention.layer_norm_epsilon"),
        activation_function="gelu_new", attn_implementation="eager",
        resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)


def reference_model(path):
    r = gguf.GGUFReader(path)
    arch = field(r, "general.architecture")
    cfg = config_of(r, arch)
    state = {}
    for t in r.tensors:
        x = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        x = x.reshape([int(n) for n in reversed(t.shape)])
        name, kind = hf_name(arch, t.name)
        if kind == "attn_q":
            x = unpermute(x, cfg.num_attention_heads)
        elif kind == "attn_k":
            x = unpermute(x, cfg.num_key_value_heads)
        elif arch == "gpt2" and kind in CONV1D and name.endswith(".weight"):
            x = x.T
        if arch == "gpt2" and name != "lm_head.weight":
            name = "transformer." + name
        state[name] = torch.from_numpy(np.ascontiguousarray(x))
    model = (LlamaForCausalLM if arch == "llama" else GPT2LMHeadModel)(cfg).float().eval()
    if arch == "gpt2":
        state.pop("lm_head.weight", None)   # tied to wte (checked equal by tfc)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(k == "lm_head.weight" or k.endswith(".attn.bias") or k.endswith("masked_bias")
               for k in missing), missing
    if cfg.tie_word_embeddings:
        model.tie_weights()
    return model


def gguf_tensors(arch, state, cfg):
    """(GGUF name, float32 array as llama.cpp stores it) from an HF state dict."""
    inv = {}
    for k, v in (LLAMA_LAYER if arch == "llama" else GPT2_LAYER).items():
        inv[v] = k
    out = []
    for name, w in state.items():
        w = w.detach().float().numpy()
        if name.endswith(".attn.bias") or name.endswith("masked_bias"):
            continue
        if name == "lm_head.weight" and arch == "gpt2":
            continue   # tied; the caller adds the converter's output.weight copy
        parts = name.split(".")[1:] if name.startswith("transformer.") else name.split(".")
        if arch == "llama" and parts[1] == "layers":
            kind = inv[".".join(parts[3:-1])]
            g = "blk.%s.%s.%s" % (parts[2], kind, parts[-1])
        elif arch == "gpt2" and parts[0] == "h":
            kind = inv[".".join(parts[2:-1])]
            g = "blk.%s.%s.%s" % (parts[1], kind, parts[-1])
        else:
            top = {v: k for k, v in (LLAMA_TOP if arch == "llama" else GPT2_TOP).items()}
            kind = top[".".join(parts[:-1])]
            g = "%s.%s" % (kind, parts[-1])
        if arch == "llama" and kind == "attn_q":
            w = permute(w, cfg.num_attention_heads)
        elif arch == "llama" and kind == "attn_k":
            w = permute(w, cfg.num_key_value_heads)
        elif arch == "gpt2" and kind in CONV1D and parts[-1] == "weight":
            w = w.T
        out.append((g, np.ascontiguousarray(w)))
    return out


# K-quant half-precision fields (d, dmin) by byte offset in a block: gguf-py cannot
# quantize to these types, so their blocks are random bytes with small scales.
K_HALVES = {gguf.GGMLQuantizationType.Q4_K: [0, 2], gguf.GGMLQuantizationType.Q5_K: [0, 2],
            gguf.GGMLQuantizationType.Q6_K: [208]}


def quantize(x, qtype):
    """x as qtype's blocks (bytes [rows, bytes per row])."""
    if qtype not in K_HALVES:
        return gguf.quants.quantize(x.astype(np.float32), qtype)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    rng = np.random.default_rng(x.size)
    n = x.size // block
    raw = rng.integers(0, 256, (n, size), dtype=np.uint8)
    for off in K_HALVES[qtype]:
        scale = (rng.uniform(0.5, 1.5, n) * (2e-3 if off == 0 or off == 208 else 1e-3))
        raw[:, off:off + 2] = scale.astype(np.float16).view(np.uint8).reshape(-1, 2)
    return raw.reshape(x.shape[0], -1)


def write_gguf(path, arch, tensors, meta, types=None, tokens=None):
    """tensors: [(GGUF name, f32 array)]; meta: {key suffix: value} under ARCH.;
    types: {GGUF name: GGMLQuantizationType} (default F32)."""
    w = gguf.GGUFWriter(path, arch)
    for key, value in meta.items():
        full = arch + "." + key
        if isinstance(value, float):
            w.add_float32(full, value)
        else:
            w.add_uint32(full, value)
    if tokens is not None:   # a SentencePiece-style vocabulary (scores optional): tfc embeds it
        w.add_tokenizer_model("llama")
        w.add_token_list(tokens)
    for name, x in tensors:
        t = (types or {}).get(name, gguf.GGMLQuantizationType.F32)
        if t == gguf.GGMLQuantizationType.F32:
            w.add_tensor(name, x.astype(np.float32))
        elif t == gguf.GGMLQuantizationType.F16:
            w.add_tensor(name, x.astype(np.float16))
        else:
            q = quantize(x, t)
            w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
