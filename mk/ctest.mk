# C tests: programs in tests/c/ include the committed header, link the real library, run.
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -Iinclude
HOST_LIBS   := -lpthread -ldl -lm

$(BUILD)/tests/%: tests/c/%.c include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) $< $(LIB) $(HOST_LIBS) -o $@

.PHONY: c-test
c-test: $(BUILD)/tests/session_test
	$(BUILD)/tests/session_test

TEST_STEPS += c-test
