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

# The header as C shops use it: C99 and C++11, pedantic, warnings as errors (tests/c/header_test.c).
HEADER_STRICT := -Wall -Wextra -Wpedantic -Werror -Iinclude
$(BUILD)/tests/header_test_c99: tests/c/header_test.c include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(HEADER_STRICT) $< $(LIB) $(HOST_LIBS) -o $@
$(BUILD)/tests/header_test_cxx: tests/c/header_test.c include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CXX) -x c++ -std=c++11 $(HEADER_STRICT) $< -x none $(LIB) $(HOST_LIBS) -o $@

.PHONY: header-test-c
header-test-c: $(BUILD)/tests/header_test_c99 $(BUILD)/tests/header_test_cxx
	$(BUILD)/tests/header_test_c99
	$(BUILD)/tests/header_test_cxx

TEST_STEPS += c-test c-test-san c-test-valgrind header-test-c
