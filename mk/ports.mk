# The port glue's own tests (tests/c/port_*_test.c), beyond the firmware scenario:
#
#   make ports-test   ports/freertos on the kernel's POSIX port (waits that end at once in
#                     FAILED / STOPPED, wrappers of a port whose init has not run, callbacks
#                     that call the wrappers); ports/baremetal on QEMU mps2-an385 (PRIMASK
#                     nesting, WFI idle with and without an initialised handle, two RX
#                     producers, overflow counted)
#
# The POSIX port's own test is `port-test` (mk/host.mk).
#
# The FreeRTOS kernel objects are the POSIX firmware's (mk/firmware.mk), the host library
# is $(LIB), the Cortex-M3 library the cross build's.

PORTS_BUILD := $(BUILD)/ports-test

$(PORTS_BUILD)/port_freertos_test: tests/c/port_freertos_test.c ports/freertos/cellmqtt_freertos.c \
                                   $(FW_HEADERS) $(FREERTOS_POSIX)
	@mkdir -p $(@D)
	K=$(freertos_kernel); P=portable/ThirdParty/GCC/Posix; \
	$(CC) $(FW_WARN) -O1 -g -pthread -Iinclude -Iports/freertos -I$$K/include -I$$K/$$P \
	  -I$$K/$$P/utils -Itests/firmware/freertos/posix -DCELLMQTT_FREERTOS_NO_CRITICAL_HOOKS \
	  $(filter %.c,$^) $(FW_BUILD)/freertos-posix.o/*.o $(LIB) -lpthread -ldl -lm -o $@

$(PORTS_BUILD)/port_baremetal_test.elf: tests/c/port_baremetal_test.c $(MPS2_SRC) $(BAREMETAL_SRC) \
                                        $(FW_HEADERS) $(call cross_lib,thumbv7m-none-eabi)
	@mkdir -p $(@D)
	$(ARM_CC) $(CPU_M3) $(FW_WARN) $(FW_OPT) $(FW_INC) -Iports/baremetal $(FW_LDFLAGS) \
	  $(filter %.c,$^) $(call cross_lib,thumbv7m-none-eabi) -o $@

.PHONY: ports-test
ports-test: $(PORTS_BUILD)/port_freertos_test $(PORTS_BUILD)/port_baremetal_test.elf
	timeout 60 $(PORTS_BUILD)/port_freertos_test
	timeout 60 $(QEMU_ARM) -M mps2-an385 -display none -monitor none -serial null \
	  -semihosting-config enable=on,target=native -kernel $(PORTS_BUILD)/port_baremetal_test.elf

TEST_STEPS += ports-test
