# SPDX-License-Identifier: MIT OR Apache-2.0
# The release bundle (scripts/dist.sh) and the proof that it needs no Rust.
#
#   make dist        build/dist/cellmqtt-<version>.tar.gz (+ .sha256)
#   make dist-test   unpack it, take Rust off PATH, build and run firmware and host programs
DIST_VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n1)
DIST_TARBALL := $(BUILD)/dist/cellmqtt-$(DIST_VERSION).tar.gz

.PHONY: dist dist-test
# Nightly with rust-src: a target whose rust-std cannot be installed is built from source.
dist: export CELLMQTT_NEED_NIGHTLY = 1
dist: deps
	scripts/dist.sh

dist-test: dist emu
	FW_SCENARIO='$(FW_SCENARIO)' QEMU_MPS2='$(QEMU_MPS2)' tests/packages/dist_test.sh $(DIST_TARBALL)

TEST_STEPS += dist-test
