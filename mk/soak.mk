# Fault soak (issue 6): cellmqtt-cli -> cellmqtt-emu --chaos -> mosquitto with broker restarts.
#   make soak [PROFILE=ec200u]   10,000 QoS 1 + 1,000 QoS 2, a fault about every 100 messages
#   soak-short                   (in make test) 800 QoS 1 + 200 QoS 2, same fault mix and rate
#   soak-short-ec200u            (in make test) the Quectel dialect: 300 QoS 1 + 100 QoS 2, same
#                                rate, the ec200u chaos mix (ping-fail included), broker restart
#                                every 4 s; seed 8, whose faults in this run include a hang,
#                                ping-fail, pdn-deact and a refusal (~12 s)
#   soak-short-a7670             (in make test) the SIMCom dialect: 300 QoS 1 + 100 QoS 2, same
#                                rate, the a7670 chaos mix (ping-fail included), broker restart
#                                every 4 s; seed 8: 19 faults in this run, a hang, ping-fail,
#                                pdn-deact, pdp-deact and refusals among them (~27 s)
# PROFILE (default air724ug) goes to the emulator and the CLI; the default as in mk/field.mk,
# inline, since PROFILE is a common name.
SOAK_ARGS ?=
SOAK_PROFILE = $(or $(PROFILE),air724ug)
SOAK_OUT     = $(if $(filter air724ug,$(SOAK_PROFILE)),,-$(SOAK_PROFILE))

.PHONY: soak soak-short soak-short-ec200u soak-short-a7670
soak: cli emu
	tests/soak/soak.py --profile $(SOAK_PROFILE) --qos1 10000 --qos2 1000 --restart-every-s 20 \
	  --out $(BUILD)/soak$(SOAK_OUT) $(SOAK_ARGS)

soak-short: cli emu
	tests/soak/soak.py --profile $(SOAK_PROFILE) --qos1 800 --qos2 200 --restart-every-s 8 \
	  --out $(BUILD)/soak-short$(SOAK_OUT) $(SOAK_ARGS)

soak-short-ec200u: cli emu
	tests/soak/soak.py --profile ec200u --qos1 300 --qos2 100 --restart-every-s 4 --seed 8 \
	  --out $(BUILD)/soak-short-ec200u $(SOAK_ARGS)

soak-short-a7670: cli emu
	tests/soak/soak.py --profile a7670 --qos1 300 --qos2 100 --restart-every-s 4 --seed 8 \
	  --out $(BUILD)/soak-short-a7670 $(SOAK_ARGS)

TEST_STEPS += soak-short soak-short-ec200u soak-short-a7670

# cellmqtt-cli under AddressSanitizer + UndefinedBehaviorSanitizer (the e2e load scenario,
# which also receives a message, and a short soak through every fault kind), and once under
# valgrind (a shorter soak).
$(BUILD)/san/cellmqtt-cli: $(CLI_SRCS) $(CLI_HDRS) $(PORT_SRCS) $(PORT_HDRS) lib
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(CLI_SRCS) $(PORT_SRCS) $(LIB) $(HOST_LIBS) -o $@

.PHONY: cli-san-test cli-valgrind-test
cli-san-test: $(BUILD)/san/cellmqtt-cli emu
	ASAN_OPTIONS=detect_leaks=1 python3 tests/e2e/e2e.py --emu target/emu/cellmqtt-emu --only load \
	  --cli $(BUILD)/san/cellmqtt-cli
	ASAN_OPTIONS=detect_leaks=1 tests/soak/soak.py --qos1 300 --qos2 100 --restart-every-s 6 \
	  --cli $(BUILD)/san/cellmqtt-cli --out $(BUILD)/soak-san

cli-valgrind-test: cli emu
	tests/soak/soak.py --qos1 100 --qos2 30 --restart-every-s 6 --out $(BUILD)/soak-valgrind \
	  --cli-prefix "valgrind -q --error-exitcode=9 --leak-check=full"

TEST_STEPS += cli-san-test cli-valgrind-test
