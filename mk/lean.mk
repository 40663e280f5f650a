# SPDX-License-Identifier: MIT OR Apache-2.0
# The lean build (issue 15): the Luat dialect with none of the parts a product may leave out
# (src/parts.rs). Its unit tests run there too, where each left-out part must be refused by
# name, and clippy must be clean on it (code a left-out part no longer reaches is dead, not
# warned about, since the parts are constants rather than #[cfg]). Clippy also runs on each
# other family's one-dialect build: code shared by some dialects is #[cfg]-gated, and a gate
# that is wrong breaks only the builds that leave a dialect out.
LEAN_TEST_FEATURES := luat

.PHONY: lean-test
lean-test:
	$(CARGO) test -q --lib --target-dir target/lean --no-default-features --features $(LEAN_TEST_FEATURES)
	$(CARGO) clippy -q --lib --target-dir target/lean --no-default-features \
	  --features $(LEAN_TEST_FEATURES) -- -D warnings
	for d in quectel simcom; do $(CARGO) clippy -q --lib --target-dir target/lean \
	  --no-default-features --features $$d,full -- -D warnings || exit 1; done

TEST_STEPS += lean-test
