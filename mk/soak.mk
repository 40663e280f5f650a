# Fault soak (issue 6): cellmqtt-cli -> cellmqtt-emu --chaos -> mosquitto with broker restarts.
#   make soak        10,000 QoS 1 + 1,000 QoS 2, a fault about every 100 messages
#   soak-short       (in make test) 800 QoS 1 + 200 QoS 2, same fault mix and rate
SOAK_ARGS ?=

.PHONY: soak soak-short
soak: cli emu
	tests/soak/soak.py --qos1 10000 --qos2 1000 --restart-every-s 20 --out $(BUILD)/soak $(SOAK_ARGS)

soak-short: cli emu
	tests/soak/soak.py --qos1 800 --qos2 200 --restart-every-s 8 --out $(BUILD)/soak-short $(SOAK_ARGS)

TEST_STEPS += soak-short

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
