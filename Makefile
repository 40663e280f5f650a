# cellmqtt — top-level build. `make` builds the library, header and examples; `make test` runs
# every test (installing what is missing); `make demo`, `make bench`, `make size` as in README.
# Areas add their own targets in mk/*.mk and append to TEST_STEPS.

CARGO   ?= cargo
BUILD   := build
LIB     := target/release/libcellmqtt.a
export CARGO_TERM_COLOR ?= never

TEST_STEPS :=

.PHONY: all lib header test deps rust-test clippy fmt-check miri clean
all: lib examples

lib:
	$(CARGO) build --release --lib

# Refresh the committed header after an intended API change.
header:
	CELLMQTT_BLESS=1 $(CARGO) test --features header --test header

deps:
	@scripts/deps.sh

# `header`: the drift test of the committed header runs with the rest.
rust-test:
	$(CARGO) test --workspace --features cellmqtt/header

clippy:
	$(CARGO) clippy --workspace --all-targets --features cellmqtt/header -- -D warnings

fmt-check:
	$(CARGO) fmt --all -- --check

# The engine's tests under Miri (undefined behaviour in the FFI layer). Tests leak their
# 'static buffers on purpose, hence -Zmiri-ignore-leaks.
miri: export CELLMQTT_NEED_NIGHTLY = 1
miri: deps
	MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-ignore-leaks" $(CARGO) +nightly miri test -p cellmqtt --lib --tests

include $(sort $(wildcard mk/*.mk))

test: export CELLMQTT_NEED_NIGHTLY = 1
test: deps
	$(MAKE) fmt-check rust-test clippy miri $(TEST_STEPS)
	@echo "make test: all steps passed"

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
