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
set_tests_properties(reliability.driver_args PROPERTIES FIXTURES_REQUIRED style_models)
set_tests_properties(reliability.sampler reliability.driver_args PROPERTIES LABELS unit)
