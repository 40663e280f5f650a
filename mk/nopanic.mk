# No reachable panic and no core::fmt in release firmware builds.
# Each MCU target's LTO staticlib is built with `panic-link-check`: the panic handler then
# references `cellmqtt_error_a_panic_path_survived_lto`, which exists nowhere, so any panic
# path that survives optimisation shows up as an undefined symbol (and fails a firmware link).
# A control build with overflow checks on (which add panic paths) must show the symbol, proving
# the check can fail.

MCU_TARGETS := thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf
LLVM_BIN     = $(shell rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin
PANIC_SYM   := cellmqtt_error_a_panic_path_survived_lto

.PHONY: no-panic-check
no-panic-check:
	@rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools
	@set -e; for t in $(MCU_TARGETS); do \
	  $(CARGO) rustc -q --release --lib --target $$t --features c-critical-section,panic-link-check \
	    --crate-type staticlib; \
	  a=target/$$t/release/libcellmqtt.a; \
	  if $(LLVM_BIN)/llvm-nm -u $$a 2>/dev/null | grep -q $(PANIC_SYM); then \
	    echo "$$t: a panic path survives LTO"; exit 1; fi; \
	  if $(LLVM_BIN)/llvm-nm --demangle $$a 2>/dev/null | grep -q 'core::fmt'; then \
	    echo "$$t: core::fmt code in the release library"; exit 1; fi; \
	  echo "$$t: no panic path, no core::fmt"; \
	done
	@RUSTFLAGS="-C overflow-checks=on" $(CARGO) rustc -q --release --lib --target thumbv7m-none-eabi \
	  --target-dir target/panic-control --features c-critical-section,panic-link-check --crate-type staticlib
	@$(LLVM_BIN)/llvm-nm -u target/panic-control/thumbv7m-none-eabi/release/libcellmqtt.a 2>/dev/null \
	  | grep -q $(PANIC_SYM) && echo "control (overflow checks on): panic path detected, as it must be"

TEST_STEPS += no-panic-check
