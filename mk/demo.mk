# make demo: the whole chain on this machine, in one command (see scripts/demo.sh).
#   make demo                      cellmqtt-emu with its embedded broker (builds emu-full,
#                                  ~3 min the first time)
#   make demo BROKER=host:port     an external broker (mosquitto, ...) with the plain emulator
#   PROFILE=ec200u                 either of them with the Quectel EC200U (AT+QMT* dialect);
#                                  PROFILE=a7670 (or sim7600) with the SIMCom AT+CMQTT*
#                                  dialect; also air780e (RESET then PWRKEY cures its hang);
#                                  default air724ug
#
# The demo runs the emulator from cargo's output, not build/cellmqtt-emu: `make emu` and
# `make emu-full` both copy to that one path, so it may hold the build without the broker.
# `=`, not `:=`: EMU_FULL_TARGET comes from mk/emulator.mk, which is included after this file.
.PHONY: demo
DEMO_EMU     = $(if $(BROKER),emu,emu-full)
DEMO_EMU_BIN = $(if $(BROKER),target/emu/cellmqtt-emu,$(EMU_FULL_TARGET)/emu/cellmqtt-emu)

demo: cli $(DEMO_EMU)
	EMU=$(DEMO_EMU_BIN) BROKER=$(BROKER) PROFILE=$(or $(PROFILE),air724ug) scripts/demo.sh
