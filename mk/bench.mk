# `make bench`: the performance table (issue 7). CPU figures are instruction counts from
# callgrind (deterministic); link figures are wall-clock measurements through the emulator and
# are printed, never asserted. `bench-budgets` (in make test) checks the deterministic ones
# against bench/budgets.txt.

$(BUILD)/bench/cpu_cost: tests/bench/cpu_cost.c tests/c/harness.h include/cellmqtt.h lib
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Iinclude $< $(LIB) $(HOST_LIBS) -o $@

# The same measurement on a library with the Luat dialect only, as a Luat product links it
# (the stream is Luat's; with every dialect the framing is chosen at run time).
LUAT_LIB := target/host-luat/release/libcellmqtt.a
.PRECIOUS: $(LUAT_LIB)
$(LUAT_LIB): FORCE
	$(CARGO) rustc -q --release --target-dir target/host-luat --lib --crate-type staticlib \
	  --no-default-features --features luat,full
$(BUILD)/bench/cpu_cost_luat: tests/bench/cpu_cost.c tests/c/harness.h include/cellmqtt.h $(LUAT_LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -Iinclude $< $(LUAT_LIB) $(HOST_LIBS) -o $@

.PHONY: bench bench-cpu bench-link bench-stack bench-budgets
bench-cpu: $(BUILD)/bench/cpu_cost $(BUILD)/bench/cpu_cost_luat
	@scripts/bench_cpu.py $(BUILD)/bench/cpu_cost
	@scripts/bench_cpu.py $(BUILD)/bench/cpu_cost_luat --suffix _luat
	@echo "handle_bytes_thumbv7em $$(scripts/handle_size.sh)   (fixed RAM of one handle, from -Zprint-type-sizes)"

bench-link: emu
	@$(CARGO) test -q --release -p cellmqtt-emu --test link_bench -- --ignored --nocapture --test-threads=1 2>/dev/null \
	  | grep -oE '(link_efficiency|recovery_latency_ms) .*'

# Worst-case stack of the entry points on thumbv7em (the Cortex-M4F size firmware), from the
# prologues and direct calls of the linked image; the QEMU firmware tests also paint and
# report the stack they really used (Cortex-M3). The image on the library's own mem functions:
# newlib's __aeabi_memcpy is a tail branch, which the prologue walk does not follow.
bench-stack: $(BUILD)/fw/size-ownmem-m4f.elf
	@scripts/stack_depth.py $< cellmqtt_poll cellmqtt_feed cellmqtt_publish

bench: size bench-cpu bench-stack bench-link emu-bench

budget = $$(awk '$$1=="$(1)"{print $$2}' bench/budgets.txt)

# Engine flash (size_table.py --flash: code and constants from libcellmqtt.a in the linked size
# firmware, mem functions from newlib-nano), as budget-name:image. Each image other than the
# M4F default and Luat ones is one more library build (target/cross-<variant>, cached).
SIZE_BUDGETS := engine_flash_thumbv7em:size-m4f engine_flash_luat_thumbv7em:size-m4f-luat \
  engine_flash_quectel_thumbv7em:size-m4f-quectel engine_flash_simcom_thumbv7em:size-m4f-simcom \
  engine_flash_lean_luat_thumbv7em:size-m4f-lean-luat engine_flash_luat_thumbv6m:size-m0-luat \
  engine_flash_luat_thumbv7m:size-m3-luat engine_flash_luat_thumbv8m_main:size-m33-luat

bench-budgets: $(BUILD)/bench/cpu_cost $(BUILD)/bench/cpu_cost_luat \
               $(foreach b,$(SIZE_BUDGETS),$(BUILD)/fw/$(lastword $(subst :, ,$(b))).elf)
	@scripts/bench_cpu.py $(BUILD)/bench/cpu_cost --check bench/budgets.txt
	@scripts/bench_cpu.py $(BUILD)/bench/cpu_cost_luat --suffix _luat --check bench/budgets.txt
	@h=$$(scripts/handle_size.sh); lim=$(call budget,handle_bytes_thumbv7em); \
	  echo "handle_bytes_thumbv7em $$h (budget $$lim)"; test "$$h" -le "$$lim"
	@for b in $(SIZE_BUDGETS); do \
	  key=$${b%%:*}; f=$$($(PYTHON) tests/firmware/size/size_table.py --flash $(BUILD)/fw/$${b#*:}.elf); \
	  lim=$$(awk -v k=$$key '$$1==k {print $$2}' bench/budgets.txt); \
	  echo "$$key $$f (budget $$lim)"; \
	  test -n "$$f" && test -n "$$lim" && test "$$f" -le "$$lim" || exit 1; \
	done

TEST_STEPS += bench-budgets
