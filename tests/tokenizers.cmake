# Tokenizers (issue 11): tfc's runtime tokenizers against Hugging Face's
# `tokenizers` package, on a corpus the check writes itself.
#
#   tokenizers.compare.<case>  tests/tokenizers/check_tokenizers.py CASE: tok_tool
#                              (the runtime loaded as model.c loads it) vs
#                              tokenizers 0.20.3 (the project's .venv); every
#                              line's ids must agree, and decoding must give the
#                              bytes back.  Cases: minilm_json, minilm_vocab
#                              (WordPiece), smollm2 (byte-level BPE from the GGUF),
#                              smollm2_json (the same as tokenizer.json), llama2c
#                              (SentencePiece BPE by scores, tok512.bin).
#   tokenizers.generated       tests/tokenizers/check_generated.py: a GPT-2 folder with a
#                              tokenizer.json trained here; tfc --main embeds it (same
#                              bytes twice), the C builds with the test flags, and
#                              --prompt/--generate prints exactly the bytes of the
#                              prompt's ids and of the ids --tokens generates.
add_executable(tok_tool ${CMAKE_CURRENT_SOURCE_DIR}/tokenizers/tok_tool.c)
target_compile_options(tok_tool PRIVATE -Wall -Wextra -Werror)
target_link_libraries(tok_tool PRIVATE tfccore)
foreach(case minilm_json minilm_vocab smollm2 smollm2_json llama2c)
  add_test(NAME tokenizers.compare.${case}
           COMMAND ${TFC_VENV_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tokenizers/check_tokenizers.py
                   $<TARGET_FILE:tok_tool> ${case} ${CMAKE_CURRENT_BINARY_DIR}/tokenizers)
  set_tests_properties(tokenizers.compare.${case} PROPERTIES LABELS "unit;reference"
                       ENVIRONMENT "TFC_SHARED=${TFC_SHARED}")
endforeach()

add_test(NAME tokenizers.generated
         COMMAND ${TFC_VENV_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/tokenizers/check_generated.py
                 $<TARGET_FILE:tfc> $<TARGET_FILE:tfc-make-weights>
                 ${CMAKE_CURRENT_BINARY_DIR}/tokenizers/generated ${TFC_CC} "${TFC_TEST_CFLAGS}")
set_tests_properties(tokenizers.generated PROPERTIES LABELS "unit;reference")

# Fuzz targets for the tokenizer readers (tests/fuzz/fuzz_tokenizer.c): the
# normal build replays tests/fuzz/corpus/tok_<kind>/ (seeds: valid files and
# the bad-input corpus's tokenizers); cmake -DTFC_FUZZ=ON with clang builds
# fuzz_tok_<kind> as libFuzzer targets.
foreach(kind json vocab_txt merges_txt llama2c)
  add_executable(fuzz_replay_tok_${kind} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_tokenizer.c)
  target_compile_definitions(fuzz_replay_tok_${kind} PRIVATE TFC_FUZZ_TOKENIZER=${kind})
  target_compile_options(fuzz_replay_tok_${kind} PRIVATE -Wall -Wextra -Werror)
  target_link_libraries(fuzz_replay_tok_${kind} PRIVATE tfccore)
  file(GLOB corpus CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/tok_${kind}/*)
  add_test(NAME tokenizers.fuzz_replay.${kind} COMMAND fuzz_replay_tok_${kind} ${corpus})
  set_tests_properties(tokenizers.fuzz_replay.${kind} PROPERTIES LABELS unit
                       ENVIRONMENT "TMPDIR=${CMAKE_CURRENT_BINARY_DIR}")
  if(TFC_FUZZ)
    add_executable(fuzz_tok_${kind} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_tokenizer.c)
    target_compile_definitions(fuzz_tok_${kind} PRIVATE TFC_FUZZ_TOKENIZER=${kind} TFC_LIBFUZZER)
    target_compile_options(fuzz_tok_${kind} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz_tok_${kind} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_tok_${kind} PRIVATE tfccore_fuzz)
    set_target_properties(fuzz_tok_${kind} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
endforeach()
