# End-to-end: build/cellmqtt-cli and the C examples through cellmqtt-emu to a real mosquitto
# (started on a free loopback port by the test and stopped by PID). See tests/e2e/e2e.py:
# 1,000 QoS 1 messages counted by a mosquitto_sub (0 lost), a message from mosquitto_pub,
# the serial path on a pty, both examples, the Air780E RESET+PWRKEY recovery, TLS, the exit
# codes, a --trace recording replayed by cellmqtt-emu --replay, the Quectel EC200U dialect
# (--profile ec200u: QoS 0/1/2 through close, ping-fail, pdn-deact, a refusal and a reboot),
# the SIMCom A7670 dialect (--profile a7670, tests/e2e/e2e_simcom.py: QoS 0/1/2 through close,
# ping-fail, pdp-deact, a refusal and a reboot, the +CMQTT* URCs checked in the trace), and
# scripts/demo.sh against mosquitto for the Air724UG, the EC200U and the A7670 (traces replayed
# too).
#
# It runs cargo's emulator binary (what `make emu` built), not the shared build/ copy.
.PHONY: e2e-test
e2e-test: examples emu
	python3 tests/e2e/e2e.py --emu target/emu/cellmqtt-emu

TEST_STEPS += e2e-test

# The CLI's contract where e2e.py does not already check it (tests/e2e/cli_contract.py): per
# family, publishing alone exits by itself, rounds and {n}, QoS 2, retain, binary files, empty
# and too long payloads, refusals, --exit-after-messages reached by retained messages, will,
# online message, credentials, SIGINT/SIGTERM, --at/--info/--client-id-imei, unrouted pins,
# odd bytes, the link lost, usage errors and non-UTF-8 specs; every line strict UTF-8 JSON.
.PHONY: cli-contract-test
cli-contract-test: examples emu
	python3 tests/e2e/cli_contract.py --emu target/emu/cellmqtt-emu

TEST_STEPS += cli-contract-test
