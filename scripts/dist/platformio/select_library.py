# SPDX-License-Identifier: MIT OR Apache-2.0
# PlatformIO extra script: links the bundle's prebuilt library that matches the board's CPU and
# float ABI (or CELLMQTT_TARGET / CELLMQTT_DIALECT from the project's build flags:
# -D CELLMQTT_TARGET=thumbv7em-none-eabihf). No port source is compiled: add the one for your
# platform (ports/baremetal, ports/freertos) to your project, or provide the two critical-section
# hooks yourself. Not run in this repository's CI (no PlatformIO here).
import os

Import("env")  # noqa: F821  (SCons)

# SCons reads an SConscript with its own folder as the working directory: the bundle's root.
BUNDLE = os.getcwd()


def define(name):
    for d in env.get("CPPDEFINES", []):  # noqa: F821
        if isinstance(d, (tuple, list)) and d[0] == name:
            return str(d[1])
    return ""


def triple():
    flags = " ".join(str(f) for f in env.get("CCFLAGS", []) + env.get("LINKFLAGS", []))  # noqa: F821
    cpu = env.BoardConfig().get("build.cpu", "").lower()  # noqa: F821
    mcu = env.BoardConfig().get("build.mcu", "").lower()  # noqa: F821
    hard = "-mfloat-abi=hard" in flags
    if cpu in ("cortex-m0", "cortex-m0plus", "cortex-m1"):
        return "thumbv6m-none-eabi"
    if cpu == "cortex-m3":
        return "thumbv7m-none-eabi"
    if cpu in ("cortex-m4", "cortex-m7"):
        return "thumbv7em-none-eabihf" if hard else "thumbv7em-none-eabi"
    if cpu == "cortex-m23":
        return "thumbv8m.base-none-eabi"
    if cpu in ("cortex-m33", "cortex-m35p", "cortex-m55", "cortex-m85"):
        return "thumbv8m.main-none-eabihf" if hard else "thumbv8m.main-none-eabi"
    if mcu in ("esp32c2", "esp32c3") or "rv32imc" in flags:
        return "riscv32imc-unknown-none-elf"
    if mcu in ("esp32c5", "esp32c6", "esp32c61", "esp32h2") or "rv32imac" in flags:
        return "riscv32imac-unknown-none-elf"
    return ""


target = define("CELLMQTT_TARGET") or triple()
dialect = define("CELLMQTT_DIALECT") or "all"
lib_dir = os.path.join(BUNDLE, "lib", target, dialect)
if not target or not os.path.isfile(os.path.join(lib_dir, "libcellmqtt.a")):
    raise SystemExit(
        f"cellmqtt: no prebuilt library for this board ({target or 'unknown CPU'}, {dialect}); "
        f"set -D CELLMQTT_TARGET=<triple> to one of {sorted(os.listdir(os.path.join(BUNDLE, 'lib')))}")
env.Append(LIBPATH=[lib_dir], LIBS=["cellmqtt"])  # noqa: F821
env.Append(CPPPATH=[os.path.join(BUNDLE, "include")])  # noqa: F821
print(f"cellmqtt: {target}, dialects {dialect}")
