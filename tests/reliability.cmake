# Reliability (issue 12), label unit: what a hostile argument, a full disk or
# a killed run finds; each test failed before the fix it guards.
#
#   reliability.sampler      runtime/generic/sampler.c is total: NaN/inf rows
#                            and overflowing temperatures give -1, every top_p
#                            keeps the arg-max in the nucleus (no read outside)
#   reliability.driver_args  the generated --main program of every family
#                            (built with the test CFLAGS: ASan/UBSan in the
#                            sanitizer build) against the hostile-argument table
#                            of tests/reliability/driver_args.sh (models: the
#                            style_models fixture, tests/style.cmake)
#   reliability.outputs      findings 1 and 6 (ir/output.c): -o refuses
#                            devices, FIFOs, sockets, folders; writes through
#                            links; outputs replaced as a set under
#                            TFC_FAIL_WRITE_AT at every step and on a real full
#                            disk (tmpfs, where unshare allows); stale
#                            temporaries of dead runs removed
#   reliability.yaml_keys    finding 5: an unknown config key is a warning at
#                            its place; 200 000 keys and a duplicate, in
#                            seconds (the duplicate check was quadratic)
#   reliability.empty_graph  finding 7: a graph with no values through the
#                            verifier: "has no output", not UBSan's memcpy from
#                            NULL in check_names
set(TFC_RELIAB_DIR ${CMAKE_CURRENT_SOURCE_DIR}/reliability)
set(TFC_RELIAB_WORK ${CMAKE_CURRENT_BINARY_DIR}/reliability)

add_executable(reliability_sampler_test ${TFC_RELIAB_DIR}/sampler_test.c)
target_include_directories(reliability_sampler_test PRIVATE ${CMAKE_SOURCE_DIR}/runtime)
target_compile_options(reliability_sampler_test PRIVATE -Wall -Wextra -Werror)
target_link_libraries(reliability_sampler_test PRIVATE ${MATH_LIBRARY})
add_test(NAME reliability.sampler COMMAND reliability_sampler_test)

add_test(NAME reliability.driver_args
         COMMAND sh ${TFC_RELIAB_DIR}/driver_args.sh $<TARGET_FILE:tfc> ${TFC_CC}
                 "${TFC_TEST_CFLAGS}" ${CMAKE_CURRENT_BINARY_DIR}/style/models ${TFC_RELIAB_WORK}/driver_args)
set_tests_properties(reliability.driver_args PROPERTIES FIXTURES_REQUIRED style_models
                     ENVIRONMENT PYTHON=${TFC_PYTHON})
set_tests_properties(reliability.sampler reliability.driver_args PROPERTIES LABELS unit)

add_test(NAME reliability.empty_graph
         COMMAND $<TARGET_FILE:tfc> ${TFC_RELIAB_DIR}/empty_graph.tir --verify-each --emit=ir
                 -o ${CMAKE_CURRENT_BINARY_DIR}/reliability_empty_graph.tir)
set_tests_properties(reliability.empty_graph PROPERTIES LABELS unit
                     PASS_REGULAR_EXPRESSION "graph 'g' has no output"
                     FAIL_REGULAR_EXPRESSION "runtime error|Sanitizer")

add_test(NAME reliability.outputs
         COMMAND sh ${TFC_RELIAB_DIR}/outputs.sh $<TARGET_FILE:tfc> $<TARGET_FILE:tfc-make-weights>
                 ${TFC_CC} "${TFC_TEST_CFLAGS}" ${TFC_RELIAB_WORK}/outputs)
set_tests_properties(reliability.outputs PROPERTIES LABELS unit ENVIRONMENT PYTHON=${TFC_PYTHON})

add_test(NAME reliability.yaml_keys
         COMMAND sh ${TFC_RELIAB_DIR}/yaml_keys.sh $<TARGET_FILE:tfc> ${TFC_PYTHON}
                 ${CMAKE_CURRENT_BINARY_DIR}/style/models ${TFC_RELIAB_WORK}/yaml_keys)
set_tests_properties(reliability.yaml_keys PROPERTIES LABELS unit TIMEOUT 30
                     FIXTURES_REQUIRED style_models)
