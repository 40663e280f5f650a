# cellmqtt-emu (tests/emulator): the module emulator. Its unit and integration tests run in
# `cargo test --workspace`; this fragment adds the release binary, its benchmark and the
# embedded-broker build.
#
#   make emu               build/cellmqtt-emu (optimised, no embedded broker)
#   make emu-full          build/cellmqtt-emu with --embedded-broker (rumqttd, ~100 s cold)
#   make emu-bench         --baud 115200 pacing vs the expected 11520 B/s
#   make emu-broker-test   QoS 0/1/2 end to end through the embedded broker
#
# The emulator is a host tool, so it gets its own cargo profile (`emu`: release without LTO,
# opt-level 3) instead of the workspace release profile tuned for firmware size; defined with
# --config so the root Cargo.toml stays untouched. The feature build uses its own target dir so
# that rumqttd's extra tokio features do not force rebuilds of the default build.

EMU_PROFILE := --profile emu --config 'profile.emu.inherits="release"' \
               --config 'profile.emu.lto=false' --config 'profile.emu.opt-level=3' \
               --config 'profile.emu.codegen-units=16'
EMU_FULL_TARGET := target/emu-full

.PHONY: emu emu-full emu-test emu-bench emu-broker-test
emu:
	$(CARGO) build -p cellmqtt-emu --bin cellmqtt-emu $(EMU_PROFILE)
	@mkdir -p $(BUILD)
	@# copy then rename: atomic, and works while another test still runs the old binary
	cp target/emu/cellmqtt-emu $(BUILD)/.cellmqtt-emu.tmp && mv -f $(BUILD)/.cellmqtt-emu.tmp $(BUILD)/cellmqtt-emu

emu-full:
	CARGO_TARGET_DIR=$(EMU_FULL_TARGET) $(CARGO) build -p cellmqtt-emu --bin cellmqtt-emu \
	  --features embedded-broker $(EMU_PROFILE)
	@mkdir -p $(BUILD)
	cp $(EMU_FULL_TARGET)/emu/cellmqtt-emu $(BUILD)/.cellmqtt-emu.tmp && mv -f $(BUILD)/.cellmqtt-emu.tmp $(BUILD)/cellmqtt-emu

# In `make test`: the optimised binary builds and starts (its behaviour is covered by the
# cargo tests, which run the debug binary).
emu-test: emu
	$(BUILD)/cellmqtt-emu --version
	@out=$$(timeout 10 $(BUILD)/cellmqtt-emu --listen 127.0.0.1:0 --control 127.0.0.1:0 --quiet --exit-after-ms 500 | head -n 1); \
	  echo "$$out"; echo "$$out" | grep -q '"event":"ready"'

emu-bench: emu
	$(CARGO) run -q -p cellmqtt-emu --example baud_bench $(EMU_PROFILE) -- $(BUILD)/cellmqtt-emu 115200

emu-broker-test:
	CARGO_TARGET_DIR=$(EMU_FULL_TARGET) $(CARGO) test -p cellmqtt-emu --features embedded-broker \
	  --test embedded_broker

TEST_STEPS += emu-test
