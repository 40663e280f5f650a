# SPDX-License-Identifier: MIT OR Apache-2.0
# Licences: every shipped source names MIT OR Apache-2.0 (scripts/check_spdx.sh).
.PHONY: spdx-check
spdx-check:
	@scripts/check_spdx.sh

TEST_STEPS += spdx-check
