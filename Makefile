# Makefile: the common tasks, so that nobody needs to know Meson.
#
#   make deps    install the Debian packages ferry needs (idempotent)
#   make         build build/ferry
#   make test    install, build, run the whole test suite
#   make check-asan  unit tests under AddressSanitizer + UBSan
#   make demo    install, build, and show ferry at work on a sample disk
#   make bench   the benchmarks: bench-convert, bench-live, bench-warm
#   make bench-convert  ferry convert next to qemu-img convert and nbdcopy
#   make bench-live     ferry live migrate next to virsh migrate --live
#   make bench-warm     a warm migration of a writing guest next to a cold one
#   make fuzz    build the libFuzzer harnesses and run each briefly
#
# MESON_SETUP_ARGS go to every `meson setup` (CI: -Dwerror=true); they
# apply when a build directory is first set up.

BUILD ?= build
FUZZ_SECONDS ?= 60
MESON_SETUP_ARGS ?=
MESON_TEST_ARGS ?= --print-errorlogs

.PHONY: all deps build test check-asan demo bench bench-convert bench-live \
	bench-warm \
	fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_SETUP_ARGS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

test: deps build
	meson test -C $(BUILD) $(MESON_TEST_ARGS)

# The long tests (meson's `long` suite: every crash point of a larger
# copy, crashed resumes), not part of `make test`.
.PHONY: test-long
test-long: deps build
	meson test -C $(BUILD) --suite long $(MESON_TEST_ARGS)

check-asan: deps
	[ -f build-asan/build.ninja ] || \
	  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	    $(MESON_SETUP_ARGS)
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C build-asan $(MESON_TEST_ARGS)

demo: deps build
	scripts/demo.sh $(BUILD)/ferry

bench: bench-convert bench-live bench-warm

bench-convert: deps build
	python3 bench/convert.py $(BUILD)/ferry

bench-live: deps build
	python3 bench/live.py $(BUILD)/ferry

bench-warm: deps build
	python3 bench/warm.py $(BUILD)/ferry

fuzz: deps
	[ -f build-fuzz/build.ninja ] || \
	  CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false \
	    $(MESON_SETUP_ARGS)
	ninja -C build-fuzz
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
