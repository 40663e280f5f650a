# SPDX-License-Identifier: MIT OR Apache-2.0
# The firmware scenario (tests/firmware/common/scenario.h) on two more cores under QEMU:
#
#   make fw-m33-test   Cortex-M33, QEMU mps2-an505, the full library (thumbv8m.main-none-eabi):
#                      tests/firmware/baremetal/main.c and the mps2 startup, built for the AN505
#                      map (FW_BOARD_AN505 in mps2.h, linker map by --defsym)
#   make fw-m0-test    Cortex-M0, QEMU microbit (nRF51822), the lean library (thumbv6m-none-eabi,
#                      LEAN_FEATURES) in the 2 KiB-RAM configuration
#                      (tests/firmware/microbit/ram2k.h), plus the largest message that
#                      configuration accepts; prints the image's text/data/bss (the whole
#                      minimal firmware image)
#
# Both use the rules and variables of mk/firmware.mk (the cross-library pattern rule, FW_* flags,
# FW_SCENARIO) in their recipes. This file is included before mk/firmware.mk (sorted names), so
# targets and prerequisites, which make expands at once, spell out their paths here.

SMALL_FW_BUILD := $(BUILD)/fw
SMALL_DEPS := include/cellmqtt.h tests/firmware/common/scenario.c tests/firmware/common/scenario.h \
              tests/firmware/common/superloop.c tests/firmware/common/superloop.h \
              ports/baremetal/cellmqtt_baremetal.c ports/baremetal/cellmqtt_baremetal.h \
              tests/firmware/mps2/mps2.ld tests/firmware/mps2/mps2.h \
              tests/firmware/mps2/semihost.h tests/firmware/mps2/startup.c

# ---- Cortex-M33 on mps2-an505 ----

M33_TARGET := thumbv8m.main-none-eabi
CPU_M33_FW    := -mcpu=cortex-m33 -mthumb -mfloat-abi=soft
M33_ELF    := $(SMALL_FW_BUILD)/baremetal-m33.elf
M33_LIB    := target/cross/$(M33_TARGET)/release/libcellmqtt.a
# Secure code from SSRAM1's secure alias (the IoT Kit's secure VTOR resets to 0x10000000), data
# and stack in SSRAM2/3's secure alias: the memory protection controllers reset secure-only.
AN505_MAP  := -Wl,--defsym=fw_flash_origin=0x10000000 -Wl,--defsym=fw_ram_origin=0x38000000

$(M33_ELF): tests/firmware/baremetal/main.c $(SMALL_DEPS) $(M33_LIB)
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M33_FW) $(FW_WARN) $(FW_OPT) $(FW_INC) -Iports/baremetal \
	  -DFW_BOARD_AN505 -DFW_NAME='"m33"' $(FW_LDFLAGS) $(AN505_MAP) \
	  $(filter %.c,$^) $(M33_LIB) -o $@

QEMU_AN505 = $(subst -M mps2-an385,-M mps2-an505,$(QEMU_MPS2))

fw-m33-test: $(M33_ELF) emu
	$(FW_SCENARIO) --name m33 --logs $(BUILD)/fw-test/m33 \
	  $(if $(FW_MAX_POLL_RATE),--max-poll-rate $(FW_MAX_POLL_RATE)) -- $(QEMU_AN505) -kernel $<

.PHONY: fw-m33-test fw-m0-test
TEST_STEPS += fw-m33-test

# ---- Cortex-M0 on microbit (nRF51822), the lean library, the 2 KiB-RAM configuration ----

# The lean build: the Luat dialect and none of the parts of src/parts.rs (the same build as
# mk/lean.mk tests and make size measures).
LEAN_FEATURES := c-critical-section,luat
M0_TARGET  := thumbv6m-none-eabi
M0_LIB     := target/cross-lean/$(M0_TARGET)/release/libcellmqtt.a
M0_ELF     := $(SMALL_FW_BUILD)/microbit-m0.elf
ARM_SIZE   ?= arm-none-eabi-size
# 256 KiB flash at 0, 16 KiB RAM at 0x20000000 (nRF51822 QFAA); the stack below the top of
# RAM is painted for the high-water mark, so it gets what .data and .bss leave (mps2.ld checks).
MICROBIT_MAP := -Wl,--defsym=fw_flash_size=256K -Wl,--defsym=fw_ram_size=16K \
                -Wl,--defsym=fw_stack_paint_size=10K
M0_SRC := tests/firmware/microbit/main.c tests/firmware/mps2/startup.c \
          tests/firmware/common/scenario.c tests/firmware/common/superloop.c \
          ports/baremetal/cellmqtt_baremetal.c

$(M0_LIB): FORCE
	$(CARGO) rustc -q --release --target $(M0_TARGET) --target-dir target/cross-lean --lib \
	  --crate-type staticlib --no-default-features --features $(LEAN_FEATURES)

$(M0_ELF): $(M0_SRC) $(SMALL_DEPS) tests/firmware/microbit/nrf51.h \
           tests/firmware/microbit/ram2k.h $(M0_LIB)
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M0) $(FW_WARN) $(FW_OPT) $(FW_INC) -Itests/firmware/microbit \
	  -Iports/baremetal -DFW_BOARD_MICROBIT -include tests/firmware/microbit/ram2k.h \
	  $(FW_LDFLAGS) $(MICROBIT_MAP) $(M0_SRC) $(M0_LIB) -o $@

# The largest message of the 2 KiB-RAM configuration, from ram2k.h as the compiler sees it.
M0_DOWN_SIZE = $$(printf '\#include "ram2k.h"\nRAM2K_LARGEST_MESSAGE\n' | \
  $(ARM_CC) -E -P -Iinclude -Itests/firmware/microbit - | tail -n 1 | \
  $(PYTHON) -c 'print(eval(input()))')

QEMU_MICROBIT = $(QEMU_ARM) -M microbit -display none -monitor none \
  -semihosting-config enable=on,target=native,arg=fw,arg={broker_port} \
  -chardev socket,id=uart0,host=127.0.0.1,port={uart_port},nodelay=on,logfile={logs}/uart0-tx.log \
  -serial chardev:uart0

fw-m0-test: $(M0_ELF) emu
	@echo "fw-m0-test: the whole minimal firmware image (Cortex-M0, lean library, 2 KiB RAM):"
	@$(ARM_SIZE) $<
	$(FW_SCENARIO) --name m0 --logs $(BUILD)/fw-test/m0 --pin-lines --down-size $(M0_DOWN_SIZE) \
	  $(if $(FW_MAX_POLL_RATE),--max-poll-rate $(FW_MAX_POLL_RATE)) -- $(QEMU_MICROBIT) -kernel $<

TEST_STEPS += fw-m0-test
