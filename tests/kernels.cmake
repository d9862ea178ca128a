# Kernel tests (label: kernels): each SIMD kernel against a plain loop on
# awkward shapes, built from the runtime files exactly as model.c receives
# them, with the flags generated code is tested with (TFC_TEST_CFLAGS).
# A kernel for an ISA this CPU lacks is compiled, then skipped (exit 77) with a
# message saying so.
set(TFC_KERNEL_DIR ${CMAKE_CURRENT_SOURCE_DIR}/kernels)
set(TFC_RUNTIME_DIR ${CMAKE_SOURCE_DIR}/runtime)

# kernel_test(NAME SOURCE DEFINE): compile SOURCE with -DDEFINE and run it.
function(kernel_test name source define)
  set(exe ${CMAKE_CURRENT_BINARY_DIR}/kernels_${name})
  add_test(NAME kernels.${name}
           COMMAND sh -c "${TFC_CC} ${TFC_TEST_CFLAGS} -D${define} -I${TFC_RUNTIME_DIR} ${TFC_KERNEL_DIR}/${source} -o ${exe} -lm -lpthread && ${exe}")
  set_tests_properties(kernels.${name} PROPERTIES LABELS kernels SKIP_RETURN_CODE 77)
endfunction()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  kernel_test(linear_avx2 test_linear.c TEST_AVX2)
  kernel_test(linear_avx512 test_linear.c TEST_AVX512)
endif()

# NEON: cross-compiled with Debian's gcc-aarch64-linux-gnu (static, so no
# target libraries are needed at run time) and run under qemu-aarch64
# (qemu-user).  Plain -O2: the sanitizer runtimes are not cross-built.
find_program(TFC_AARCH64_CC aarch64-linux-gnu-gcc)
find_program(TFC_QEMU_AARCH64 qemu-aarch64)
if(TFC_AARCH64_CC AND TFC_QEMU_AARCH64)
  set(exe ${CMAKE_CURRENT_BINARY_DIR}/kernels_linear_neon)
  add_test(NAME kernels.linear_neon
           COMMAND sh -c "${TFC_AARCH64_CC} -std=c11 -Wall -Wextra -Werror -O2 -static -DTEST_NEON -I${TFC_RUNTIME_DIR} ${TFC_KERNEL_DIR}/test_linear.c -o ${exe} -lm -lpthread && ${TFC_QEMU_AARCH64} ${exe}")
else()
  add_test(NAME kernels.linear_neon
           COMMAND sh -c "echo 'SKIP: NEON kernels need aarch64-linux-gnu-gcc and qemu-aarch64 (scripts/install-deps installs gcc-aarch64-linux-gnu and qemu-user)'; exit 77")
endif()
set_tests_properties(kernels.linear_neon PROPERTIES LABELS kernels SKIP_RETURN_CODE 77)
