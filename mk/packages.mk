# SPDX-License-Identifier: MIT OR Apache-2.0
# Packages for other build systems, checked as far as this machine allows.
#
#   make zephyr-check   the Zephyr module: module.yml at the root, its Kconfig through
#                       kconfiglib (no warnings, a Rust target per CPU), the port's sources
.PHONY: zephyr-check
zephyr-check:
	@$(PYTHON) tests/packages/zephyr_check.py

TEST_STEPS += zephyr-check
