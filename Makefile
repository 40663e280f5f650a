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

# The engine's tests under Miri (undefined behaviour in the FFI layer), two test targets at a
# time (scripts/miri.sh; one log per target in build/miri/). Tests leak their 'static buffers
# on purpose, hence -Zmiri-ignore-leaks there.
miri: export CELLMQTT_NEED_NIGHTLY = 1
miri: deps
	CARGO="$(CARGO)" scripts/miri.sh $(BUILD)/miri

include $(sort $(wildcard mk/*.mk))

# Miri runs beside the other steps, in its own process group and at the lowest priority,
# logging to build/miri.log: it keeps the cores busy for about a quarter of an hour, while most
# other steps wait on sockets, QEMU and the emulator's real time (which must not be starved).
# A failing step stops it (the recipe shell may be dash, whose kill takes no `--`: the group
# is named as -PID right after the signal); its result is checked last.
test: export CELLMQTT_NEED_NIGHTLY = 1
test: deps
	$(MAKE) fmt-check
	@mkdir -p $(BUILD); \
	setsid nice -n 19 $(MAKE) --no-print-directory miri > $(BUILD)/miri.log 2>&1 & miri=$$!; \
	stop_miri() { kill -TERM -$$miri 2>/dev/null; wait $$miri 2>/dev/null; }; \
	trap stop_miri INT TERM; \
	$(MAKE) rust-test clippy $(TEST_STEPS) || { stop_miri; exit 1; }; \
	echo "make test: waiting for miri (build/miri.log)"; \
	if ! wait $$miri; then tail -n 60 $(BUILD)/miri.log; echo "make test: miri failed"; exit 1; fi; \
	grep -E '^test result' $(BUILD)/miri.log | awk '{p+=$$4; f+=$$6} END {print "miri: " p " passed, " f " failed"}'
	@echo "make test: all steps passed"

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
