# Field check: standard scenarios against a physical module (scripts/field_check.py).
#
#   make field-check SERIAL=/dev/ttyUSB0 BROKER=host:port [PROFILE=air780e] [BAUD=115200]
#                    [PINS=reset GPIO_CMD='...'] [COUNT=10]
#
# GPIO_CMD is taken literally (`$1`, `$2` need no doubling for make); it must not contain a
# single quote. Writes each scenario's JSON events and AT trace to build/field-check/ and
# prints a pass/fail report; exit 0 only if every scenario passed. field-check-test (in make test) runs it against
# cellmqtt-emu on a pty and a local mosquitto.
# Defaults inline, not as global `?=`: PROFILE, BAUD and COUNT are common names.
FIELD_ARGS = --profile $(or $(PROFILE),air724ug) --baud $(or $(BAUD),115200) \
  --count $(or $(COUNT),10) $(if $(PINS),--pins '$(PINS)') $(if $(GPIO_CMD),--gpio-cmd '$(value GPIO_CMD)')

.PHONY: field-check field-check-test
field-check: cli
	@test -n "$(SERIAL)" -a -n "$(BROKER)" || { echo "usage: make field-check SERIAL=/dev/ttyUSB0 BROKER=host:port [PROFILE=...] [PINS=reset GPIO_CMD=...]"; exit 2; }
	python3 scripts/field_check.py --serial '$(SERIAL)' --broker '$(BROKER)' $(FIELD_ARGS)

field-check-test: cli emu
	python3 tests/e2e/field_check_test.py --emu target/emu/cellmqtt-emu

TEST_STEPS += field-check-test
