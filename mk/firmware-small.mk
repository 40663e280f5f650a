# SPDX-License-Identifier: MIT OR Apache-2.0
# The firmware scenario (tests/firmware/common/scenario.h) on two more cores under QEMU:
#
#   make fw-m33-test   Cortex-M33, QEMU mps2-an505, the full library (thumbv8m.main-none-eabi):
#                      tests/firmware/baremetal/main.c and the mps2 startup, built for the AN505
#                      map (FW_BOARD_AN505 in mps2.h, linker map by --defsym)
#   make fw-m0-test    Cortex-M0, QEMU microbit (nRF51822), the lean library (thumbv6m-none-eabi,
#                      LEAN_FEATURES) in the 2 KiB-RAM configuration (tests/firmware/microbit/ram2k.h),
#                      plus the largest message that configuration accepts; prints the image's
#                      text/data/bss (the whole minimal firmware image)
#
# Both use the rules and variables of mk/firmware.mk (the cross-library pattern rule, FW_* flags,
# FW_SCENARIO) in their recipes. This file is included before mk/firmware.mk (sorted names), so
# targets and prerequisites, which make expands at once, spell out their paths here.

SMALL_FW_BUILD := $(BUILD)/fw
SMALL_DEPS := include/cellmqtt.h tests/firmware/common/scenario.c tests/firmware/common/scenario.h \
              ports/baremetal/cellmqtt_baremetal.c ports/baremetal/cellmqtt_baremetal.h \
              tests/firmware/mps2/mps2.ld tests/firmware/mps2/mps2.h tests/firmware/mps2/startup.c

# ---- Cortex-M33 on mps2-an505 ----

M33_TARGET := thumbv8m.main-none-eabi
CPU_M33    := -mcpu=cortex-m33 -mthumb -mfloat-abi=soft
M33_ELF    := $(SMALL_FW_BUILD)/baremetal-m33.elf
M33_LIB    := target/cross/$(M33_TARGET)/release/libcellmqtt.a
# Secure code from SSRAM1's secure alias (the IoT Kit's secure VTOR resets to 0x10000000), data
# and stack in SSRAM2/3's secure alias: the memory protection controllers reset secure-only.
AN505_MAP  := -Wl,--defsym=fw_flash_origin=0x10000000 -Wl,--defsym=fw_ram_origin=0x38000000

$(M33_ELF): tests/firmware/baremetal/main.c $(SMALL_DEPS) $(M33_LIB)
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M33) $(FW_WARN) $(FW_OPT) $(FW_INC) -Iports/baremetal \
	  -DFW_BOARD_AN505 -DFW_NAME='"m33"' $(FW_LDFLAGS) $(AN505_MAP) \
	  $(filter %.c,$^) $(M33_LIB) -o $@

QEMU_AN505 = $(subst -M mps2-an385,-M mps2-an505,$(QEMU_MPS2))

fw-m33-test: $(M33_ELF) emu
	$(FW_SCENARIO) --name m33 --logs $(BUILD)/fw-test/m33 \
	  $(if $(FW_MAX_POLL_RATE),--max-poll-rate $(FW_MAX_POLL_RATE)) -- $(QEMU_AN505) -kernel $<

.PHONY: fw-m33-test fw-m0-test
TEST_STEPS += fw-m33-test
