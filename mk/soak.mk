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
