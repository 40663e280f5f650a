# MCU ports: cross builds of the library, firmware on QEMU, the FreeRTOS POSIX test, sizes.
#
#   make cross                LTO static library for thumbv6m, thumbv7m, thumbv7em-hf, riscv32imac
#   make fw                   the test firmware and the size firmware on M0/M3/M4F (build/fw/)
#   make fw-baremetal-test    bare-metal superloop firmware on QEMU mps2-an385 -> emulator -> mosquitto
#   make fw-freertos-test     FreeRTOS (ARM_CM3 port) firmware on QEMU, same scenario
#   make freertos-posix-test  FreeRTOS POSIX port on the host, same scenario
#   make fw-nofmt-check       no core::fmt code in any firmware image
#   make fw-port-compile      ports/freertos also compiles against the ARM_CM0/CM4F/CM33 ports
#   make size                 footprint tables (README, Size): M0/M3/M4F/M33, every build, part costs
#
# The library for a firmware must be built as a staticlib alone: with the crate's default
# crate-type list (staticlib + rlib) cargo drops `lto = true` (measured: the image grows).
# Cross builds get their own target dir: no-panic-check (mk/nopanic.mk) builds the same targets
# with an extra feature, and sharing a dir would rebuild the library on every switch.

FW_BUILD   := $(BUILD)/fw
ARM_CC     ?= arm-none-eabi-gcc
ARM_NM     ?= arm-none-eabi-nm
QEMU_ARM   ?= qemu-system-arm
PYTHON     ?= python3
CROSS_TARGETS := thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf

CROSS_DIR  := target/cross
cross_lib = $(CROSS_DIR)/$(1)/release/libcellmqtt.a

# Cargo decides whether anything changed; the archive's time stamp only moves when it did.
$(CROSS_DIR)/%/release/libcellmqtt.a: FORCE
	$(CARGO) rustc -q --release --target $* --target-dir $(CROSS_DIR) --lib --crate-type staticlib \
	  --features c-critical-section

# The dev-profile library (no LTO, debug assertions): only for the control of fw-nofmt-check.
$(CROSS_DIR)/%/debug/libcellmqtt.a: FORCE
	$(CARGO) rustc -q --target $* --target-dir $(CROSS_DIR) --lib --crate-type staticlib \
	  --features c-critical-section

.PHONY: FORCE cross fw fw-baremetal-test fw-freertos-test freertos-posix-test fw-nofmt-check \
        fw-port-compile size
FORCE:

cross: $(foreach t,$(CROSS_TARGETS),$(call cross_lib,$(t)))

# ---- C flags ----

FW_WARN   := -std=c11 -Wall -Wextra -Werror
FW_OPT    := -Os -g -ffunction-sections -fdata-sections
CPU_M0    := -mcpu=cortex-m0 -mthumb
CPU_M3    := -mcpu=cortex-m3 -mthumb
CPU_M4F   := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
FW_INC    := -Iinclude -Itests/firmware/mps2 -Itests/firmware/common
FW_LDFLAGS = -nostartfiles -T tests/firmware/mps2/mps2.ld -Wl,--gc-sections \
             --specs=nano.specs --specs=nosys.specs -Wl,--no-warn-execstack -Wl,-Map=$@.map

MPS2_SRC     := tests/firmware/mps2/startup.c
SCENARIO_SRC := tests/firmware/common/scenario.c
# The superloop half of the bare-metal firmware every board shares (tests/firmware/common).
SUPERLOOP_SRC := tests/firmware/common/superloop.c
BAREMETAL_SRC := ports/baremetal/cellmqtt_baremetal.c
FW_HEADERS   := include/cellmqtt.h $(wildcard tests/firmware/*/*.h tests/firmware/freertos/*/*.h \
                ports/baremetal/*.h ports/freertos/*.h ports/common/*.h) tests/firmware/mps2/mps2.ld

# ---- FreeRTOS kernel (sources from the pinned freertos-next crate, see freertos-kernel/) ----

FREERTOS_PATH := $(FW_BUILD)/freertos-kernel.path
$(FREERTOS_PATH): tests/firmware/freertos-kernel/Cargo.toml tests/firmware/freertos-kernel/Cargo.lock
	@mkdir -p $(@D)
	tests/firmware/freertos-kernel/fetch.sh > $@.tmp && mv $@.tmp $@

# Kernel files are a dependency, built with its own (lenient) flags; ours keep -Werror.
FREERTOS_CORE := tasks.c queue.c list.c
freertos_kernel = $$(cat $(FREERTOS_PATH))

# ---- firmware ----

BAREMETAL_ELF := $(FW_BUILD)/baremetal-cm3.elf
FREERTOS_ELF  := $(FW_BUILD)/freertos-cm3.elf
FREERTOS_POSIX := $(FW_BUILD)/freertos-posix
SIZE_ELFS     := $(FW_BUILD)/size-m0.elf $(FW_BUILD)/size-m3.elf $(FW_BUILD)/size-m4f.elf

fw: $(BAREMETAL_ELF) $(FREERTOS_ELF) $(FREERTOS_POSIX) $(SIZE_ELFS)

$(BAREMETAL_ELF): tests/firmware/baremetal/main.c $(MPS2_SRC) $(SCENARIO_SRC) $(SUPERLOOP_SRC) $(BAREMETAL_SRC) \
                  $(FW_HEADERS) $(call cross_lib,thumbv7m-none-eabi)
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M3) $(FW_WARN) $(FW_OPT) $(FW_INC) -Iports/baremetal $(FW_LDFLAGS) \
	  $(filter %.c,$^) $(call cross_lib,thumbv7m-none-eabi) -o $@

FREERTOS_APP_SRC := tests/firmware/freertos/app.c tests/firmware/freertos/share.c \
                    ports/freertos/cellmqtt_freertos.c $(SCENARIO_SRC)

# compile_kernel(compiler and flags, object dir, sources relative to the kernel directory)
compile_kernel = mkdir -p $(2) && for src in $(3); do \
	  $(1) -c $$K/$$src -o $(2)/$$(basename $$src .c).o || exit 1; done

$(FREERTOS_ELF): tests/firmware/freertos/cm3/main.c $(FREERTOS_APP_SRC) $(MPS2_SRC) $(FW_HEADERS) \
                 $(FREERTOS_PATH) $(call cross_lib,thumbv7m-none-eabi)
	K=$(freertos_kernel); \
	KINC="-I$$K/include -I$$K/portable/GCC/ARM_CM3 -Itests/firmware/freertos/cm3"; \
	$(call compile_kernel,$(ARM_CC) $(CPU_M3) -std=c11 $(FW_OPT) $$KINC,$(@D)/freertos-cm3, \
	  $(FREERTOS_CORE) portable/GCC/ARM_CM3/port.c portable/MemMang/heap_4.c) && \
	$(ARM_CC) $(CPU_M3) $(FW_WARN) $(FW_OPT) $(FW_INC) $$KINC -Iports/freertos \
	  -Itests/firmware/freertos $(FW_LDFLAGS) $(filter %.c,$^) $(@D)/freertos-cm3/*.o \
	  $(call cross_lib,thumbv7m-none-eabi) -o $@

# The host build links the host library, whose critical section is std's lock: no port hooks.
$(FREERTOS_POSIX): tests/firmware/freertos/posix/main.c $(FREERTOS_APP_SRC) $(FW_HEADERS) \
                   $(FREERTOS_PATH) lib
	K=$(freertos_kernel); P=portable/ThirdParty/GCC/Posix; \
	KINC="-I$$K/include -I$$K/$$P -I$$K/$$P/utils -Itests/firmware/freertos/posix"; \
	$(call compile_kernel,$(CC) -O1 -g -pthread $$KINC,$(@D)/freertos-posix.o, \
	  $(FREERTOS_CORE) $$P/port.c $$P/utils/wait_for_event.c portable/MemMang/heap_3.c) && \
	$(CC) $(FW_WARN) -O1 -g -pthread $(FW_INC) $$KINC -Iports/freertos -Itests/firmware/freertos \
	  -DCELLMQTT_FREERTOS_NO_CRITICAL_HOOKS $(filter %.c,$^) $(@D)/freertos-posix.o/*.o \
	  $(LIB) -lpthread -ldl -lm -o $@

# ---- the size firmware (make size) ----
#
# tests/firmware/size/main.c linked per core against a library build ("variant"):
#   $(FW_BUILD)/size-<core>.elf            every dialect, every part (target/cross, the default)
#   $(FW_BUILD)/size-<core>-<variant>.elf  target/cross-<variant>: luat, quectel, simcom (one
#                                          dialect, full), lean-luat (Luat, no parts),
#                                          luat-no-<part> (full Luat minus one part)
#   $(FW_BUILD)/size-ownmem-<core>.elf     the default build on the library's own mem functions
# Every image but the ownmem ones takes memcpy/memset/memcmp/__aeabi_mem* from the C library
# (newlib-nano): `-Wl,-u,<symbol>` for each one the engine or the C code calls, then `-lc`
# before the archive, whose compiler-builtins copies are weak and then never pulled in.
SIZE_CORES   := m0 m3 m4f m33
CPU_M33      := -mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16
size_cpu_m0  := $(CPU_M0)
size_cpu_m3  := $(CPU_M3)
size_cpu_m4f := $(CPU_M4F)
size_cpu_m33 := $(CPU_M33)
size_triple_m0  := thumbv6m-none-eabi
size_triple_m3  := thumbv7m-none-eabi
size_triple_m4f := thumbv7em-none-eabihf
size_triple_m33 := thumbv8m.main-none-eabihf
SIZE_PARTS   := tls cache-mode mpubex signal-reports network-time power-cycle names logs
SIZE_DIALECTS := luat quectel simcom
# Part costs are measured on these cores (each part is one more library build per core);
# `make size SIZE_PART_CORES="$(SIZE_CORES)"` measures them everywhere.
SIZE_PART_CORES ?= m4f
LIBC_MEM_SYMS := memcpy memset memcmp __aeabi_memcpy __aeabi_memcpy4 __aeabi_memclr __aeabi_memclr4
LIBC_MEM      := $(foreach s,$(LIBC_MEM_SYMS),-Wl,-u,$(s)) -lc

size_comma := ,
size_empty :=
size_space := $(size_empty) $(size_empty)
# Cargo features of each library variant (on top of --no-default-features).
$(foreach d,$(SIZE_DIALECTS),$(eval variant_features_$(d) := c-critical-section,$(d),full))
variant_features_lean-luat := c-critical-section,luat
$(foreach p,$(SIZE_PARTS),$(eval variant_features_luat-no-$(p) := \
  c-critical-section,luat,$(subst $(size_space),$(size_comma),$(filter-out $(p),$(SIZE_PARTS)))))

variant_lib = target/cross-$(2)/$(size_triple_$(1))/release/libcellmqtt.a

define size_variant_lib_rule
.PRECIOUS: target/cross-%/$(1)/release/libcellmqtt.a
target/cross-%/$(1)/release/libcellmqtt.a: FORCE
	$$(if $$(variant_features_$$*),,$$(error no library variant '$$*' (variant_features_$$*)))
	$$(CARGO) rustc -q --release --target $(1) --target-dir target/cross-$$* --lib \
	  --crate-type staticlib --no-default-features --features $$(variant_features_$$*)
endef
$(foreach c,$(SIZE_CORES),$(eval $(call size_variant_lib_rule,$(size_triple_$(c)))))

SIZE_SRC  := tests/firmware/size/main.c $(MPS2_SRC) $(BAREMETAL_SRC)
# size_link(core, mem flags, archive)
size_link = $(ARM_CC) $(size_cpu_$(1)) $(FW_WARN) -Os -ffunction-sections -fdata-sections $(FW_INC) \
  -Iports/baremetal $(FW_LDFLAGS) $(SIZE_SRC) $(2) $(3) -o $@

define size_elf_rules
$(FW_BUILD)/size-$(1).elf: $(call cross_lib,$(size_triple_$(1))) $(SIZE_SRC) $(FW_HEADERS)
	@mkdir -p $$(@D)
	$$(call size_link,$(1),$$(LIBC_MEM),$$<)
$(FW_BUILD)/size-ownmem-$(1).elf: $(call cross_lib,$(size_triple_$(1))) $(SIZE_SRC) $(FW_HEADERS)
	@mkdir -p $$(@D)
	$$(call size_link,$(1),,$$<)
$(FW_BUILD)/size-$(1)-%.elf: target/cross-%/$(size_triple_$(1))/release/libcellmqtt.a $(SIZE_SRC) \
                             $(FW_HEADERS)
	@mkdir -p $$(@D)
	$$(call size_link,$(1),$$(LIBC_MEM),$$<)
endef
$(foreach c,$(SIZE_CORES),$(eval $(call size_elf_rules,$(c))))

# The images of `make test` (fw-nofmt-check, bench-stack): the default build on M0, M3, M4F and
# the one-dialect builds on M4F.
SIZE_ELFS    := $(foreach c,m0 m3 m4f,$(FW_BUILD)/size-$(c).elf)
DIALECT_ELFS := $(foreach d,$(SIZE_DIALECTS),$(FW_BUILD)/size-m4f-$(d).elf)
# The images of `make size`.
SIZE_MATRIX_ELFS := \
  $(foreach c,$(SIZE_CORES),$(FW_BUILD)/size-$(c).elf $(FW_BUILD)/size-ownmem-$(c).elf \
    $(foreach v,$(SIZE_DIALECTS) lean-luat,$(FW_BUILD)/size-$(c)-$(v).elf)) \
  $(foreach c,$(SIZE_PART_CORES),$(foreach p,$(SIZE_PARTS),$(FW_BUILD)/size-$(c)-luat-no-$(p).elf))

# The same firmware on the dev-profile library, which keeps core::fmt: proves the check can fail.
NOFMT_CONTROL := $(FW_BUILD)/nofmt-control-m3.elf
$(NOFMT_CONTROL): tests/firmware/size/main.c $(MPS2_SRC) $(BAREMETAL_SRC) $(FW_HEADERS) \
                  $(CROSS_DIR)/thumbv7m-none-eabi/debug/libcellmqtt.a
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M3) $(FW_WARN) -Os -ffunction-sections -fdata-sections $(FW_INC) -Iports/baremetal \
	  $(FW_LDFLAGS) $(filter %.c,$^) $(CROSS_DIR)/thumbv7m-none-eabi/debug/libcellmqtt.a -o $@

# ---- tests ----

# ports/freertos runs on ARM_CM3 (QEMU) and POSIX; also compile it (-Werror, no link) against
# the ARMv6-M, ARMv7E-M-with-FPU and ARMv8-M kernel ports, whose interrupt masking differs.
fw-port-compile: ports/freertos/cellmqtt_freertos.c $(FW_HEADERS) $(FREERTOS_PATH)
	@mkdir -p $(FW_BUILD)/port-compile
	@K=$(freertos_kernel); \
	compile() { \
	  $(ARM_CC) $$2 $(FW_WARN) -DconfigENABLE_MPU=0 -DconfigENABLE_FPU=0 -DconfigENABLE_TRUSTZONE=0 \
	    -Iinclude -I$$K/include -I$$K/portable/GCC/$$1 -Itests/firmware/freertos/cm3 \
	    -c ports/freertos/cellmqtt_freertos.c -o $(FW_BUILD)/port-compile/freertos.o && \
	  echo "fw-port-compile: ports/freertos compiles for FreeRTOS $$1"; \
	}; \
	compile ARM_CM0 "$(CPU_M0)" && compile ARM_CM4F "$(CPU_M4F)" && \
	compile ARM_CM33_NTZ/non_secure "-mcpu=cortex-m33 -mthumb"

# The scenario harness starts mosquitto, a subscriber, the emulator and the device (under
# `timeout`), and answers the device; see tests/firmware/run_scenario.py.
FW_SCENARIO = $(PYTHON) tests/firmware/run_scenario.py --emu $(BUILD)/cellmqtt-emu --timeout 150
QEMU_MPS2 = $(QEMU_ARM) -M mps2-an385 -display none -monitor none \
  -semihosting-config enable=on,target=native,arg=fw,arg={broker_port} \
  -chardev socket,id=uart0,host=127.0.0.1,port={uart_port},nodelay=on,logfile={logs}/uart0-tx.log \
  -serial chardev:uart0 \
  -chardev socket,id=uart1,host=127.0.0.1,port={control_port},nodelay=on -serial chardev:uart1

# The bare-metal firmware reports how often it polled; it sleeps (WFI) for poll_delay_ms, so
# a busy-polling engine shows here (it did once: ~250k polls/s while a command was in flight
# and a command-gating timer was due). About 150/s is normal for the scenario.
FW_MAX_POLL_RATE ?= 2000

fw-baremetal-test: $(BAREMETAL_ELF) emu
	$(FW_SCENARIO) --name baremetal --logs $(BUILD)/fw-test/baremetal \
	  $(if $(FW_MAX_POLL_RATE),--max-poll-rate $(FW_MAX_POLL_RATE)) -- $(QEMU_MPS2) -kernel $<

# The FreeRTOS firmware checks the port's blocking helpers first (tests/firmware/freertos/share.c).
fw-freertos-test: $(FREERTOS_ELF) emu
	$(FW_SCENARIO) --name freertos-cm3 --logs $(BUILD)/fw-test/freertos-cm3 --expect "share ok" -- \
	  $(QEMU_MPS2) -kernel $<

freertos-posix-test: $(FREERTOS_POSIX) emu
	$(FW_SCENARIO) --name freertos-posix --logs $(BUILD)/fw-test/freertos-posix --expect "share ok" -- \
	  $< {uart_port} {control_port} {broker_port}

# The release images must not contain core::fmt (no formatting code reaches the firmware).
# Checked on demangled and mangled (legacy and v0) names; the control image must be caught.
has_core_fmt = { $(ARM_NM) -C $(1) 2>/dev/null | grep -q 'core::fmt' || \
                 $(ARM_NM) $(1) 2>/dev/null | grep -q '4core3fmt'; }

fw-nofmt-check: $(BAREMETAL_ELF) $(FREERTOS_ELF) $(SIZE_ELFS) $(DIALECT_ELFS) $(M33_ELF) $(M0_ELF) \
                $(NOFMT_CONTROL)
	@for f in $(filter-out $(NOFMT_CONTROL),$^); do \
	  if $(call has_core_fmt,$$f); then \
	    echo "fw-nofmt-check: $$f contains core::fmt:"; $(ARM_NM) -C $$f 2>/dev/null | grep 'core::fmt' | head; \
	    exit 1; \
	  fi; \
	done; echo "fw-nofmt-check: no core::fmt in $(notdir $(filter-out $(NOFMT_CONTROL),$^))"
	@$(call has_core_fmt,$(NOFMT_CONTROL)) && \
	  echo "fw-nofmt-check: control (dev-profile library): core::fmt found, as it must be"

# The footprint tables (README, Size): every core and build, what each part costs, what the
# mem functions cost on the library's own copies. Library builds are cached per variant.
size: $(SIZE_MATRIX_ELFS)
	@$(PYTHON) tests/firmware/size/size_table.py include/cellmqtt.h --matrix $(FW_BUILD) \
	  --cores "$(SIZE_CORES)" --parts "$(SIZE_PARTS)" --part-cores "$(SIZE_PART_CORES)"

# Where the Luat build's engine flash goes, by source file of cellmqtt (README, Size): the same
# library built with line tables (which change no instruction: the script fails unless its
# total is the flash of size-m4f-luat.elf), each instruction charged to its innermost frame
# in src/.
ATTRIB_LIB := target/size-attrib/thumbv7em-none-eabihf/release/libcellmqtt.a
.PRECIOUS: $(ATTRIB_LIB)
$(ATTRIB_LIB): FORCE
	CARGO_PROFILE_RELEASE_DEBUG=line-tables-only $(CARGO) rustc -q --release \
	  --target thumbv7em-none-eabihf --target-dir target/size-attrib --lib --crate-type staticlib \
	  --no-default-features --features $(variant_features_luat)
$(FW_BUILD)/size-attrib-m4f.elf: $(ATTRIB_LIB) $(SIZE_SRC) $(FW_HEADERS)
	@mkdir -p $(@D)
	$(call size_link,m4f,$(LIBC_MEM),$<)
.PHONY: size-attrib
size-attrib: $(FW_BUILD)/size-attrib-m4f.elf $(FW_BUILD)/size-m4f-luat.elf
	@$(PYTHON) scripts/size_attrib.py $^

TEST_STEPS += size-attrib
TEST_STEPS += cross fw-port-compile fw-nofmt-check fw-baremetal-test fw-freertos-test freertos-posix-test
