# Fuzzing with cargo-fuzz (nightly, libFuzzer + ASan). Targets in fuzz/fuzz_targets:
#   at_stream  tokenizer + decoder on arbitrary bytes and splits
#   quectel_stream  the same for either framing (first byte picks it), Quectel decoder too
#   simcom_stream  the same with the SIMCom framing (+CMQTTRX… in parts) and decoder
#   engine     the whole engine on arbitrary RX streams, API calls, clock steps, UART behaviour
# `make fuzz FUZZ_SECONDS=600` runs each target that long from the committed seeds and prints
# the executions; `fuzz-smoke` (in make test) runs each briefly. Crashes land in
# fuzz/artifacts/<target>/ and fail the run.

FUZZ_SECONDS ?= 600
FUZZ_TARGETS := at_stream quectel_stream simcom_stream engine

.PHONY: fuzz fuzz-build fuzz-smoke
fuzz-build: export CELLMQTT_NEED_NIGHTLY = 1
fuzz-build: deps
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && cargo +nightly fuzz build

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	scripts/fuzz.sh 20 $(FUZZ_TARGETS)

TEST_STEPS += fuzz-smoke
