# Host programs on the POSIX port: build/cellmqtt-cli and the two small examples.
#
#   make cli         build/cellmqtt-cli
#   make examples    the CLI and build/examples/{publish_sensor,subscribe_echo}
#   make cli-help-test    --help names every flag of the design's CLI contract
#   make cli-spec-test    the --pub/--pub-file/--sub spec rules
#   make cmake-test       the CMake integration: host consumer project + a cross staticlib
#
# C flags are strict on purpose (-Wpedantic -Werror): these files are what firmware authors
# copy from.

HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Wpedantic -Werror -Iinclude -Iports/posix
PORT_SRCS   := ports/posix/cellmqtt_posix.c ports/posix/baud_linux.c
PORT_HDRS   := ports/posix/cellmqtt_posix.h include/cellmqtt.h
CLI_SRCS    := $(wildcard examples-c/cellmqtt-cli/*.c)
CLI_HDRS    := $(wildcard examples-c/cellmqtt-cli/*.h)
EXAMPLES    := $(BUILD)/examples/publish_sensor $(BUILD)/examples/subscribe_echo

.PHONY: cli examples cli-help-test cmake-test
cli: $(BUILD)/cellmqtt-cli
examples: $(BUILD)/cellmqtt-cli $(EXAMPLES)

$(BUILD)/cellmqtt-cli: $(CLI_SRCS) $(CLI_HDRS) $(PORT_SRCS) $(PORT_HDRS) lib
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(CLI_SRCS) $(PORT_SRCS) $(LIB) $(HOST_LIBS) -o $@

$(BUILD)/examples/%: examples-c/%.c $(PORT_SRCS) $(PORT_HDRS) lib
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< $(PORT_SRCS) $(LIB) $(HOST_LIBS) -o $@

# The flags the CLI promises (README, cellmqtt-cli); the test fails if --help stops listing one.
DESIGN_FLAGS := --serial --baud --tcp --host --port --ssl --client-id --user --password \
  --keepalive --will-topic --will-payload --will-qos --will-retain --online-payload \
  --cache-mode --sub --pub --pub-file --count --interval-ms --exit-after-ms \
  --exit-after-messages --emu-control --profile --pins --trace --stats --fast-recovery \
  --cmd-timeout-ms --silence-ms --backoff-ms --boot-ms --gpio-cmd

cli-help-test: $(BUILD)/cellmqtt-cli
	@help=$$($(BUILD)/cellmqtt-cli --help) || exit 1; missing=""; \
	for f in $(DESIGN_FLAGS); do \
	  printf '%s\n' "$$help" | grep -qE -- "(^|[][ ,(])$$f([][ =,]|$$)" || missing="$$missing $$f"; \
	done; \
	if [ -n "$$missing" ]; then echo "cellmqtt-cli --help lacks:$$missing"; exit 1; fi; \
	echo "cellmqtt-cli --help lists all $(words $(DESIGN_FLAGS)) flags of the contract"

cmake-test:
	tests/e2e/cmake.sh

# The spec rules of --pub/--pub-file/--sub (spec.c), under ASan + UBSan.
.PHONY: cli-spec-test
$(BUILD)/tests/cli_spec_test: examples-c/cellmqtt-cli/test/spec_test.c examples-c/cellmqtt-cli/spec.c \
                              examples-c/cellmqtt-cli/json.c examples-c/cellmqtt-cli/json.h \
                              examples-c/cellmqtt-cli/spec.h examples-c/cellmqtt-cli/cli.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(filter %.c,$^) -o $@

cli-spec-test: $(BUILD)/tests/cli_spec_test
	$<

# The README's link lines, run as written (tests/e2e/readme_link.sh).
.PHONY: readme-link-test
readme-link-test: lib $(call cross_lib,thumbv7em-none-eabihf)
	tests/e2e/readme_link.sh

TEST_STEPS += examples cli-help-test cli-spec-test cmake-test readme-link-test

# The POSIX port on its own: a pty and loopback sockets (ports/posix/test/), under ASan and
# UBSan (the port's descriptors, buffers and threads).
.PHONY: port-test
$(BUILD)/tests/posix_port_test: ports/posix/test/port_test.c ports/posix/test/baud_readback.c \
                                $(PORT_SRCS) $(PORT_HDRS) lib
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
	  ports/posix/test/port_test.c ports/posix/test/baud_readback.c \
	  $(PORT_SRCS) $(LIB) $(HOST_LIBS) -o $@

port-test: $(BUILD)/tests/posix_port_test
	$(BUILD)/tests/posix_port_test

TEST_STEPS += port-test
