#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""What can be checked of the Zephyr module without a Zephyr tree (none can be fetched here).

- zephyr/module.yml sits at the repository's root, where west and ZEPHYR_EXTRA_MODULES look,
  and every path it names exists.
- ports/zephyr/Kconfig, read by kconfiglib (the Kconfig implementation Zephyr's build uses),
  beside stand-ins for the Zephyr symbols it refers to, declared with the dependencies Zephyr
  gives them: enabling CELLMQTT draws no warning (Zephyr aborts on Kconfig warnings), and a
  control copy without `depends on SERIAL_SUPPORT_INTERRUPT` does draw one (the check can
  fail); CELLMQTT_RUST_TARGET defaults to the right triple for every Cortex-M Zephyr offers and
  for RV32 with and without hard float.
- The Kconfig's dialect and part choices become the library's Cargo features through
  ports/zephyr/features.cmake (run with `cmake -P` on the symbols kconfiglib set): every part on
  gives `full`, a part switched off gives the list without it.
- The port calls `uart_irq_update()` without testing its result (it returns void from Zephyr
  4.5 on), and the archive is not linked through `zephyr_library_import` (--whole-archive).

Usage: zephyr_check.py  (from anywhere; exits non-zero on the first failed check)
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.append("/usr/lib/python3/dist-packages")  # the Debian package, whatever python3 is
import kconfiglib  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Zephyr's symbols the module's Kconfig reads, with the dependencies Zephyr declares for them
# (drivers/serial/Kconfig: UART_INTERRUPT_DRIVEN depends on SERIAL_SUPPORT_INTERRUPT). Each has
# a prompt only so the check can set it.
ZEPHYR_STANDINS = """
config SERIAL
\tbool "serial drivers"
config SERIAL_SUPPORT_INTERRUPT
\tbool "the UART driver has the interrupt API"
config UART_INTERRUPT_DRIVEN
\tbool "UART interrupt-driven API"
\tdepends on SERIAL_SUPPORT_INTERRUPT
config RING_BUFFER
\tbool "ring buffers"
config GPIO
\tbool "GPIO drivers"
config DT_HAS_LUAT_AIR_CAT1_ENABLED
\tbool "a luat,air-cat1 node is enabled"
config FP_HARDABI
\tbool "hard-float ABI"
config RISCV
\tbool "RISC-V"
config 64BIT
\tbool "64-bit"
config FPU
\tbool "FPU"
config FLOAT_HARD
\tbool "hard-float calling convention"
config CPU_HAS_FPU_DOUBLE_PRECISION
\tbool "double-precision FPU"
""" + "".join(
    f'config {s}\n\tbool "{s}"\n'
    for s in ["CPU_CORTEX_M0", "CPU_CORTEX_M0PLUS", "CPU_CORTEX_M1", "CPU_CORTEX_M3",
              "CPU_CORTEX_M4", "CPU_CORTEX_M7", "CPU_CORTEX_M23", "CPU_CORTEX_M33",
              "CPU_CORTEX_M55", "CPU_CORTEX_M85", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A",
              "RISCV_ISA_EXT_C", "RISCV_ISA_EXT_F"])

# subsys/logging/Kconfig.template.log_config, reduced to what a module's `source` needs.
LOG_TEMPLATE = """
config $(module)_LOG_LEVEL
\tint "Log level of $(module-str)"
\tdefault 3
"""

# (symbols set to y, the triple expected; "" = no default, the user must set it)
TARGETS = [
    (["CPU_CORTEX_M0"], "thumbv6m-none-eabi"),
    (["CPU_CORTEX_M0PLUS"], "thumbv6m-none-eabi"),
    (["CPU_CORTEX_M1"], "thumbv6m-none-eabi"),
    (["CPU_CORTEX_M3"], "thumbv7m-none-eabi"),
    (["CPU_CORTEX_M4"], "thumbv7em-none-eabi"),
    (["CPU_CORTEX_M4", "FP_HARDABI"], "thumbv7em-none-eabihf"),
    (["CPU_CORTEX_M7"], "thumbv7em-none-eabi"),
    (["CPU_CORTEX_M7", "FP_HARDABI"], "thumbv7em-none-eabihf"),
    (["CPU_CORTEX_M23"], "thumbv8m.base-none-eabi"),
    (["CPU_CORTEX_M33"], "thumbv8m.main-none-eabi"),
    (["CPU_CORTEX_M33", "FP_HARDABI"], "thumbv8m.main-none-eabihf"),
    (["CPU_CORTEX_M55"], "thumbv8m.main-none-eabi"),
    (["CPU_CORTEX_M55", "FP_HARDABI"], "thumbv8m.main-none-eabihf"),
    (["CPU_CORTEX_M85", "FP_HARDABI"], "thumbv8m.main-none-eabihf"),
    (["RISCV", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_C"], "riscv32imc-unknown-none-elf"),
    (["RISCV", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A", "RISCV_ISA_EXT_C"],
     "riscv32imac-unknown-none-elf"),
    (["RISCV", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A", "RISCV_ISA_EXT_C", "RISCV_ISA_EXT_F",
      "FPU"], "riscv32imac-unknown-none-elf"),  # FPU with the soft-float ABI
    (["RISCV", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A", "RISCV_ISA_EXT_C", "RISCV_ISA_EXT_F",
      "FPU", "FLOAT_HARD"], "riscv32imafc-unknown-none-elf"),
    (["RISCV", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A", "RISCV_ISA_EXT_C", "RISCV_ISA_EXT_F",
      "FPU", "FLOAT_HARD", "CPU_HAS_FPU_DOUBLE_PRECISION"], ""),  # ilp32d: no Rust target
    (["RISCV", "64BIT", "RISCV_ISA_EXT_M", "RISCV_ISA_EXT_A", "RISCV_ISA_EXT_C"], ""),
]

BASE = ["SERIAL", "SERIAL_SUPPORT_INTERRUPT", "DT_HAS_LUAT_AIR_CAT1_ENABLED"]

# The parts a product may leave out: Cargo feature and its Kconfig symbol (CELLMQTT_<PART>).
PARTS = ["tls", "cache-mode", "mpubex", "signal-reports", "network-time", "power-cycle", "names", "logs"]


def fail(why):
    print(f"zephyr-check: {why}")
    sys.exit(1)


def load(tree, module_kconfig, on):
    with open(os.path.join(tree, "Kconfig"), "w") as f:
        f.write('mainmenu "cellmqtt module check"\n' + ZEPHYR_STANDINS +
                f'source "{module_kconfig}"\n')
    os.environ["srctree"] = tree
    kconf = kconfiglib.Kconfig(os.path.join(tree, "Kconfig"), warn_to_stderr=False)
    for name in on:
        kconf.syms[name].set_value(2)
    kconf.syms["CELLMQTT"].set_value(2)
    # Evaluating every symbol is what makes kconfiglib report unmet select dependencies.
    for sym in kconf.unique_defined_syms:
        _ = sym.str_value
    return kconf


def check_module_yml():
    path = os.path.join(ROOT, "zephyr", "module.yml")
    if not os.path.isfile(path):
        fail("zephyr/module.yml is not at the repository's root")
    text = open(path).read()
    for key in ["cmake", "kconfig", "dts_root"]:
        m = re.search(rf"^\s*{key}:\s*(\S+)\s*$", text, re.M)
        if not m:
            fail(f"module.yml names no {key}")
        if not os.path.exists(os.path.join(ROOT, m.group(1))):
            fail(f"module.yml: {key} {m.group(1)} does not exist")
    if os.path.exists(os.path.join(ROOT, "ports", "zephyr", "zephyr", "module.yml")):
        fail("a second module.yml under ports/zephyr/zephyr")


def check_kconfig():
    module_kconfig = os.path.join(ROOT, "ports", "zephyr", "Kconfig")
    with tempfile.TemporaryDirectory() as tree:
        os.makedirs(os.path.join(tree, "subsys", "logging"))
        with open(os.path.join(tree, "subsys", "logging", "Kconfig.template.log_config"),
                  "w") as f:
            f.write(LOG_TEMPLATE)
        for on, want in TARGETS:
            kconf = load(tree, module_kconfig, BASE + on)
            if kconf.syms["CELLMQTT"].str_value != "y":
                fail(f"CELLMQTT cannot be enabled with {on}")
            if kconf.warnings:
                fail(f"Kconfig warnings with {on}: {kconf.warnings}")
            got = kconf.syms["CELLMQTT_RUST_TARGET"].str_value
            if got != want:
                fail(f"{'+'.join(on)}: CELLMQTT_RUST_TARGET {got!r}, expected {want!r}")
        features = check_features(tree, module_kconfig)
        # Control: without the dependency the select is unmet, and kconfiglib says so.
        control = os.path.join(tree, "control.Kconfig")
        text = open(module_kconfig).read()
        stripped = text.replace("\tdepends on SERIAL_SUPPORT_INTERRUPT\n", "")
        if stripped == text:
            fail("ports/zephyr/Kconfig: CELLMQTT does not depend on SERIAL_SUPPORT_INTERRUPT")
        with open(control, "w") as f:
            f.write(stripped)
        kconf = load(tree, control, ["SERIAL", "DT_HAS_LUAT_AIR_CAT1_ENABLED", "CPU_CORTEX_M3"])
        if not any("UART_INTERRUPT_DRIVEN" in w for w in kconf.warnings):
            fail("control: no warning for an unmet UART_INTERRUPT_DRIVEN dependency "
                 f"({kconf.warnings})")
    return len(TARGETS), features


def cargo_features(kconf):
    """The feature list ports/zephyr/features.cmake makes of the symbols kconf set to y."""
    defs = [f"-DCONFIG_{sym.name}=y" for sym in kconf.unique_defined_syms
            if sym.name.startswith("CELLMQTT") and sym.type == kconfiglib.BOOL
            and sym.str_value == "y"]
    script = os.path.join(ROOT, "ports", "zephyr", "features.cmake")
    r = subprocess.run(["cmake", *defs, "-P", script], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"features.cmake failed with {defs}: {r.stderr.strip()}")
    return r.stderr.strip()


def check_features(tree, module_kconfig):
    """Dialect and part choices -> Cargo features; returns how many cases were checked."""
    cpu = ["CPU_CORTEX_M4", "FP_HARDABI"]
    cases = [([], [], "c-critical-section,luat,full"),
             (["CELLMQTT_DIALECT_QUECTEL"], [], "c-critical-section,luat,quectel,full"),
             ([], ["CELLMQTT_" + p.upper().replace("-", "_") for p in PARTS],
              "c-critical-section,luat")]
    for part in PARTS:
        rest = ",".join(p for p in PARTS if p != part)
        cases.append(([], ["CELLMQTT_" + part.upper().replace("-", "_")],
                      f"c-critical-section,luat,{rest}"))
    for on, off, want in cases:
        kconf = load(tree, module_kconfig, BASE + cpu + on)
        for name in off:
            if name not in kconf.syms or not kconf.syms[name].nodes:
                fail(f"ports/zephyr/Kconfig has no {name}")
            kconf.syms[name].set_value(0)
        if kconf.warnings:
            fail(f"Kconfig warnings with {on} on, {off} off: {kconf.warnings}")
        got = cargo_features(kconf)
        if got != want:
            fail(f"{'+'.join(on) or 'defaults'}, off {'+'.join(off) or 'nothing'}: "
                 f"Cargo features {got!r}, expected {want!r}")
    return len(cases)


def check_sources():
    port = open(os.path.join(ROOT, "ports", "zephyr", "cellmqtt_zephyr.c")).read()
    code = re.sub(r"/\*.*?\*/", "", port, flags=re.S)
    for m in re.finditer(r"[^\n;{}]*uart_irq_update\s*\(", code):
        if not re.match(r"^\s*uart_irq_update\s*\($", m.group(0)):
            fail(f"uart_irq_update's result is used: {m.group(0).strip()}")
    cmake = open(os.path.join(ROOT, "ports", "zephyr", "CMakeLists.txt")).read()
    cmake_code = "\n".join(line for line in cmake.splitlines()
                           if not line.lstrip().startswith("#"))
    if "zephyr_library_import" in cmake_code or "whole-archive" in cmake_code:
        fail("the Rust archive is linked inside --whole-archive")
    if not re.search(r"target_link_libraries\(app\b", cmake_code):
        fail("the Rust archive is not linked as a plain library on app")


def main():
    check_module_yml()
    cases, features = check_kconfig()
    check_sources()
    print(f"zephyr-check: module.yml at the root; Kconfig loads without warnings and picks the "
          f"right Rust target in {cases} CPU cases, the right Cargo features in {features} "
          f"dialect/part cases (the control without the "
          f"SERIAL_SUPPORT_INTERRUPT dependency warns); uart_irq_update called, not tested; "
          f"the archive linked plainly")


if __name__ == "__main__":
    main()
