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
  kernel_test(ops_avx2 test_ops_avx2.c TEST_AVX2)
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

# End to end, per SIMD target: tiny models of every family compiled at -O2 with
# --target=T (prepack + select_kernels route their linears to T's kernels),
# built, run in one call and incrementally, against PyTorch with the family
# tests' own scripts and tolerance (max abs error <= 1e-4 max|ref|).  A target
# the machine cannot run is listed as skipped with the reason.  AVX2 runs
# with 3 threads so uneven panel splits are exercised.
set(TFC_KERNEL_WORK ${CMAKE_CURRENT_BINARY_DIR}/kernels_e2e)
set(TFC_KERNEL_GPT2 ${CMAKE_CURRENT_BINARY_DIR}/ref_gpt2/models)   # fixture ref_gpt2 (frontend.cmake)
file(READ /proc/cpuinfo TFC_CPUINFO LIMIT 100000)

# kernel_e2e(TARGET RUNNABLE REASON CC CFLAGS CASES): family cases for one target.
# Labelled no_asan: the host's -O2 family tests already run the host target's
# kernels under the sanitizers, and the cross builds have none.
function(kernel_e2e target runnable reason cc cflags cases)
  set(tfc ${TFC_KERNEL_WORK}/tfc-${target})
  file(GENERATE OUTPUT ${tfc} CONTENT "#!/bin/sh\nexec \"$<TARGET_FILE:tfc>\" \"$@\" --target=${target}\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  foreach(case ${cases})
    set(name kernels.e2e.${target}.${case})
    if(NOT runnable)
      add_test(NAME ${name} COMMAND sh -c "echo 'SKIP: ${reason}'; exit 77")
    elseif(case MATCHES "^gpt2\\.(.*)")
      add_test(NAME ${name}
               COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/ref/check_gpt2.py --tfc ${tfc}
                       --cc ${cc} --cflags "${cflags}" --model ${TFC_KERNEL_GPT2}/${CMAKE_MATCH_1}
                       --work ${TFC_KERNEL_WORK}/${target}.${case} --mode c-O2)
      set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED ref_gpt2)
    else()
      add_test(NAME ${name}
               COMMAND ${TFC_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/families/check_model.py --tfc ${tfc}
                       --cc ${cc} --cflags "${cflags}" --work ${TFC_KERNEL_WORK}/${target}.${case}
                       --case ${case} --mode O2)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "kernels;reference;no_asan" SKIP_RETURN_CODE 77
                         ENVIRONMENT TFC_NUM_THREADS=3)
  endforeach()
endfunction()

set(avx2_ok FALSE)
set(avx512_ok FALSE)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  string(FIND "${TFC_CPUINFO}" " avx2" at)
  if(NOT at EQUAL -1)
    set(avx2_ok TRUE)
  endif()
  string(FIND "${TFC_CPUINFO}" " avx512f" at)
  if(NOT at EQUAL -1)
    set(avx512_ok TRUE)
  endif()
endif()
# Every family at -O2 on every target: GPT-2 (odd widths), Llama (GQA + tied head;
# MHA + untied head from an HF folder), a llama2.c checkpoint, BERT (encoder).
set(e2e_cases gpt2.b_gelu_odd llama_gqa_tied llama_mha_untied_hf llama2c_untied bert)
set(x86_cases ${e2e_cases})
kernel_e2e(x86-64-avx2 ${avx2_ok} "this machine cannot run AVX2 code" ${TFC_CC}
           "${TFC_TEST_CFLAGS}" "${x86_cases}")
kernel_e2e(x86-64-avx512 ${avx512_ok} "this CPU lacks AVX-512F: the avx512 models are not run"
           ${TFC_CC} "${TFC_TEST_CFLAGS}" "${x86_cases}")
if(TFC_AARCH64_CC AND TFC_QEMU_AARCH64)
  kernel_e2e(aarch64-neon TRUE "" ${CMAKE_CURRENT_SOURCE_DIR}/kernels/cc_aarch64.sh
             "-std=c11 -Wall -Wextra -Werror -O2" "${e2e_cases}")
else()
  kernel_e2e(aarch64-neon FALSE "needs aarch64-linux-gnu-gcc and qemu-aarch64 (scripts/install-deps)"
             cc "" "${e2e_cases}")
endif()

# The prepack pass writes exactly the layout the kernels read (runtime/pack.h).
add_executable(test_prepack ${TFC_KERNEL_DIR}/test_prepack.c)
target_compile_options(test_prepack PRIVATE -Wall -Wextra -Werror)
target_link_libraries(test_prepack PRIVATE tfccore)
add_test(NAME kernels.prepack COMMAND test_prepack)
set_tests_properties(kernels.prepack PROPERTIES LABELS "kernels;unit")

# The AVX-512 build everywhere: compiles with the test flags; on a CPU without
# AVX-512F the program refuses at open (exit 1, a message naming avx512f)
# instead of dying on an illegal instruction.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  separate_arguments(flags UNIX_COMMAND "${TFC_TEST_CFLAGS}")
  add_test(NAME kernels.avx512_cpu_check
           COMMAND sh ${TFC_KERNEL_DIR}/cpu_check.sh $<TARGET_FILE:tfc> ${TFC_KERNEL_GPT2}/b_gelu_odd/model.yaml
                   ${TFC_KERNEL_WORK}/avx512_cpu_check ${TFC_CC} ${flags})
  set_tests_properties(kernels.avx512_cpu_check PROPERTIES LABELS kernels FIXTURES_REQUIRED ref_gpt2)
endif()
