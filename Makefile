# tfc — top-level commands.  See README.md.
#   make          build build/tfc
#   make demo     install what is missing, build, compile and run the bundled examples
#   make test     install what is missing, build, run the CTest suite, then again under ASan/UBSan
#   make bench    benchmarks against peers (bench/README.md)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps demo test test-fast test-asan bench clean

all:
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo > build.log 2>&1 || { cat build.log; exit 1; }
	@cmake --build build -j $(JOBS)

deps:
	@scripts/install-deps
	@scripts/install-python-deps

demo: deps all
	@examples/demo.sh

test: deps all test-fast test-asan

test-fast: all
	cd build && ctest -j $(JOBS) --output-on-failure --timeout 600

test-asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTFC_SANITIZE=ON > build-asan.log 2>&1 || { cat build-asan.log; exit 1; }
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest -j $(JOBS) --output-on-failure --timeout 600 -LE no_asan

bench: deps all
	@bench/run.sh

clean:
	rm -rf build build-asan build.log build-asan.log
