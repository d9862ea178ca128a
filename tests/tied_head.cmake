# The tied lm head stored once, packed (issue 6; passes/prepack.c,
# rt_embedding_packed in runtime/generic/embed.c):
#
#   kernels.embed_packed     the panel gather against the row-major lookup, bit
#                            for bit, on panel widths 16 and 32, vocab sizes with
#                            a narrow last panel, rows of 1, 7 and 65 floats
#                            (kernel_test comes from kernels.cmake, included
#                            before this file: the suites are globbed in order)
#   regress.tied_head_once   a tied Llama and GPT-2 at -O2 for every target: the
#                            weights file is the generic target's size (the table
#                            once, no packed copy), the embedding gathers from
#                            panels, no [N,K] linear is left; the host's SIMD
#                            build and the interpreter against PyTorch (1e-4)
kernel_test(embed_packed test_embed.c TEST_EMBED)

add_test(NAME regress.tied_head_once
         COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/kernels/check_tied_once.py
                 --tfc $<TARGET_FILE:tfc> --cc ${TFC_CC} --cflags "${TFC_TEST_CFLAGS}"
                 --work ${CMAKE_CURRENT_BINARY_DIR}/tied_head_once
                 --gpt2 ${CMAKE_CURRENT_BINARY_DIR}/ref_gpt2/models/b_gelu_odd)
set_tests_properties(regress.tied_head_once PROPERTIES LABELS "regress;reference"
                     FIXTURES_REQUIRED ref_gpt2)
