# The C emitter (label: unit): graphs built in C are emitted, compiled with the
# test compiler and flags (so the ASan build checks generated code too), run,
# and compared with the reference interpreter; plus the weights file, the API
# return codes, determinism and exported symbols.  See tests/codegen/cg_test.c.
add_executable(cg_test ${CMAKE_CURRENT_SOURCE_DIR}/codegen/cg_test.c)
target_link_libraries(cg_test PRIVATE tfccore)
target_compile_options(cg_test PRIVATE -Wall -Wextra -Werror -Wno-unused-function)
foreach(case all_ops gpt2 llama llama_interleaved bert shared_kn fused weights api)
  add_test(NAME codegen.${case}
           COMMAND cg_test ${case} ${CMAKE_CURRENT_BINARY_DIR}/codegen_${case} ${TFC_CC}
                   "${TFC_TEST_CFLAGS}" ${CMAKE_CURRENT_SOURCE_DIR}/codegen)
  set_tests_properties(codegen.${case} PROPERTIES LABELS unit)
endforeach()

# tfc itself, run twice on the example model, writes identical files.
add_test(NAME codegen.tfc_deterministic
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/codegen/deterministic.sh $<TARGET_FILE:tfc>
                 $<TARGET_FILE:tfc-make-weights> ${CMAKE_SOURCE_DIR}/examples/tiny_gpt2/model.yaml
                 ${CMAKE_CURRENT_BINARY_DIR}/codegen_deterministic)
set_tests_properties(codegen.tfc_deterministic PROPERTIES LABELS unit)
