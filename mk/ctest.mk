# C tests: programs in tests/c/ include the committed header, link the real library, run —
# plainly, under AddressSanitizer + UndefinedBehaviorSanitizer, and under valgrind.
CFLAGS_TEST := -std=c11 -Wall -Wextra -Werror -Iinclude
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g
HOST_LIBS   := -lpthread -ldl -lm
C_TESTS     := session_test misuse_test

$(BUILD)/tests/%: tests/c/%.c tests/c/harness.h include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) $< $(LIB) $(HOST_LIBS) -o $@

$(BUILD)/tests/san/%: tests/c/%.c tests/c/harness.h include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_TEST) $(SAN_FLAGS) $< $(LIB) $(HOST_LIBS) -o $@

.PHONY: c-test c-test-san c-test-valgrind
c-test: $(addprefix $(BUILD)/tests/,$(C_TESTS))
	@for t in $(C_TESTS); do echo "== $$t"; $(BUILD)/tests/$$t || exit 1; done

c-test-san: $(addprefix $(BUILD)/tests/san/,$(C_TESTS))
	@for t in $(C_TESTS); do echo "== $$t (ASan+UBSan)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 $(BUILD)/tests/san/$$t || exit 1; done

c-test-valgrind: $(addprefix $(BUILD)/tests/,$(C_TESTS))
	@for t in $(C_TESTS); do echo "== $$t (valgrind)"; \
	  valgrind -q --error-exitcode=9 --leak-check=full $(BUILD)/tests/$$t || exit 1; done

TEST_STEPS += c-test c-test-san c-test-valgrind
