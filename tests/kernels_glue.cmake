# The AVX2 glue kernels of a Llama layer (x86/swiglu_avx2.c, x86/norm_avx2.c)
# against the portable ones (tests/kernels/test_glue_avx2.c), built from the
# runtime files as model.c receives them, with the generated code's test flags.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(exe ${CMAKE_CURRENT_BINARY_DIR}/kernels_glue_avx2)
  add_test(NAME kernels.glue_avx2
           COMMAND sh -c "${TFC_CC} ${TFC_TEST_CFLAGS} -I${CMAKE_SOURCE_DIR}/runtime ${CMAKE_CURRENT_SOURCE_DIR}/kernels/test_glue_avx2.c -o ${exe} -lm -lpthread && ${exe}")
  set_tests_properties(kernels.glue_avx2 PROPERTIES LABELS kernels SKIP_RETURN_CODE 77)
endif()
