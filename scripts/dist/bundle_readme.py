#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Writes the release bundle's README.md (scripts/dist.sh) to stdout.

Sizes are read from the libraries themselves: the code and constant data (every allocated
section with contents) of the library's own object, the one LTO produced; the compiler-builtins
members an image may also take (memcpy, division helpers) are not counted. That is every entry
point of the API; a firmware's --gc-sections drops those it never calls, so a linked image holds
less (README of the repository: `make size`).

Usage: bundle_readme.py STAGE VERSION "DIALECTS" "triple|cpus|flags" ...
"""

import os
import struct
import sys

SHF_ALLOC = 0x2
SHT_NOBITS = 8


def archive_members(path):
    """(name, bytes) of each member of a GNU ar archive."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"!<arch>\n"):
        raise SystemExit(f"{path}: not an ar archive")
    at, names = 8, b""
    while at + 60 <= len(data):
        header = data[at:at + 60]
        name = header[:16].decode().strip()
        size = int(header[48:58].decode().strip())
        body = data[at + 60:at + 60 + size]
        at += 60 + size + (size & 1)
        if name == "//":
            names = body
            continue
        if name.startswith("/") and name[1:].isdigit():
            start = int(name[1:])
            name = names[start:names.index(b"/\n", start)].decode()
        yield name.rstrip("/"), body


def alloc_bytes(elf):
    """Bytes of allocated sections with contents (code, constants, initialised data)."""
    if elf[:4] != b"\x7fELF":
        return 0
    is64 = elf[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", elf, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", elf, 0x20)
        shentsize, shnum = struct.unpack_from("<HH", elf, 0x2E)
    total = 0
    for i in range(shnum):
        base = shoff + i * shentsize
        if is64:
            _, sh_type, sh_flags = struct.unpack_from("<IIQ", elf, base)
            sh_size, = struct.unpack_from("<Q", elf, base + 0x20)
        else:
            _, sh_type, sh_flags = struct.unpack_from("<III", elf, base)
            sh_size, = struct.unpack_from("<I", elf, base + 0x14)
        if sh_flags & SHF_ALLOC and sh_type != SHT_NOBITS:
            total += sh_size
    return total


def library_code(path):
    own = [body for name, body in archive_members(path)
           if name.startswith("cellmqtt-") and name.endswith(".o")]
    return sum(alloc_bytes(b) for b in own)


def main():
    stage, version, dialects = sys.argv[1], sys.argv[2], sys.argv[3].split()
    targets = [t.split("|") for t in sys.argv[4:]]
    sets = ["all"] + dialects
    print(f"""<!-- SPDX-License-Identifier: MIT OR Apache-2.0 -->
# cellmqtt {version}, prebuilt

MQTT through the built-in client of Cat.1 cellular modules (Luat/AirM2M `AT+M*`, Quectel
`AT+QMT*`, SIMCom `AT+CMQTT*` where built in) over a UART, behind a C API. This bundle needs no
Rust toolchain: link a prebuilt library with your firmware.

| folder | what |
|---|---|
| `include/cellmqtt.h` | the API (C99 and C++11); `cellmqtt_init` checks that the library matches it |
| `lib/<triple>/<dialects>/libcellmqtt.a` | LTO static libraries; `all` links every dialect, each other folder one |
| `lib/cmake/cellmqtt/` | `find_package(cellmqtt)`: `cellmqtt::cellmqtt` (and `cellmqtt::posix` on the host) |
| `lib/pkgconfig/cellmqtt.pc` | pkg-config for the host library |
| `ports/` | platform glue: `baremetal` (Cortex-M superloop), `freertos`, `zephyr`, `posix` |
| `examples/` | the C examples and `cellmqtt-cli` |
| `esp-idf/cellmqtt/` | an ESP-IDF component for ESP32-C2/C3/C5/C6/H2 (RISC-V) |
| `library.json`, `select_library.py` | a PlatformIO library that links the library matching the board |
| `SHA256SUMS` | checksums of every file |

## Targets and sizes

Library code: the text, constant and initialised data of the library's own object (the API's
every entry point; a firmware keeps only what it calls, and the compiler-builtins helpers it
takes are not counted), in bytes, per dialect set.

| triple | CPUs | {" | ".join(sets)} | C flags it is compatible with |
|---|---|{"---:|" * len(sets)}---|""")
    for triple, cpus, flags in targets:
        sizes = []
        for s in sets:
            path = os.path.join(stage, "lib", triple, s, "libcellmqtt.a")
            sizes.append(f"{library_code(path):,}" if os.path.exists(path) else "-")
        print(f"| `{triple}` | {cpus} | {' | '.join(sizes)} | `{flags}` |")
    print("""
Every microcontroller library is built with the `c-critical-section` feature: the firmware
provides `uint32_t cellmqtt_port_critical_enter(void)` and `void cellmqtt_port_critical_exit(uint32_t)`
(the ports do). Enumerations are `int`-sized (C's default): `-fshort-enums` is not compatible,
and `cellmqtt_init` refuses with `CELLMQTT_STATUS_ABI_MISMATCH` when the structs it receives do
not have the library's sizes.

## Linking

GCC or Clang, a Cortex-M4F superloop on the bare-metal port:

```sh
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os \\
  -ffunction-sections -fdata-sections -Iinclude -Iports/baremetal firmware.c \\
  ports/baremetal/cellmqtt_baremetal.c lib/thumbv7em-none-eabihf/all/libcellmqtt.a \\
  -Wl,--gc-sections -o firmware.elf
```

The library carries its own `memcpy`/`memset`/`memcmp`/`__aeabi_mem*` (compiler-builtins,
weak); linked as above they serve the whole image. To use the C library's instead (newlib-nano:
920-1,156 B less on Cortex-M), have the linker take them first: `-Wl,-u,memcpy -Wl,-u,memset
-Wl,-u,memcmp -Wl,-u,__aeabi_memcpy -Wl,-u,__aeabi_memcpy4 -Wl,-u,__aeabi_memclr
-Wl,-u,__aeabi_memclr4 -lc` before the archive. The two never clash.

CMake, with this folder on `CMAKE_PREFIX_PATH`:

```cmake
find_package(cellmqtt 0.1 REQUIRED)          # the library for the compiler's -mcpu/-mfloat-abi
target_link_libraries(app PRIVATE cellmqtt::cellmqtt)
```

`-DCELLMQTT_TARGET=<triple>` chooses the library yourself; `-DCELLMQTT_DIALECT=luat` (or
another dialect) links one dialect.

Host (x86-64 Linux): `cc app.c $(pkg-config --cflags --libs cellmqtt)` with
`PKG_CONFIG_PATH=<bundle>/lib/pkgconfig`, or `cellmqtt::posix` through CMake.

### Keil MDK (Arm Compiler 6) and IAR Embedded Workbench for Arm

The archives are standard ELF/AAPCS objects; `armlink` and `ilinkarm` can link them like any
GNU-built library. What to check:

- the library must match the core and float ABI (`--cpu`/`--fpu` or the IDE's target
  options), as in the table above;
- enumerations must be `int`-sized: IAR sizes an enum to its values unless it is given
  `--enum_is_int`; Arm Compiler 6 must not be given `-fshort-enums`. A mismatch shows as
  `CELLMQTT_STATUS_ABI_MISMATCH` from `cellmqtt_init`, not as corrupted memory;
- `wchar_t` does not matter (the API has none);
- the compiler-builtins `memcpy`/`memset`/`__aeabi_*` in the archive are weak; each toolchain's
  own library keeps precedence where it defines them strongly.

Neither toolchain is available where this bundle is built and tested, so no Keil or IAR project
is part of its tests; GCC links are (see the repository's `make test`).

## Licence

MIT OR Apache-2.0, at your option (`LICENSE-MIT`, `LICENSE-APACHE`).""")


if __name__ == "__main__":
    main()
