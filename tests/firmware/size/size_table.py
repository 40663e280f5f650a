#!/usr/bin/env python3
"""Prints the footprint tables of `make size` (Markdown, ready for the README).

For each minimal firmware (tests/firmware/size/main.c linked for one Cortex-M): text, data
and bss of the image (arm-none-eabi-size), the engine's share of each (summed over the input
sections that came from libcellmqtt.a, read from the GNU ld map: the Rust engine with the
parts of core and compiler_builtins it pulls in), then the fixed RAM of a handle (the size of
the firmware's cellmqtt_t symbol) and the default buffer sizes from the header.

Usage:
  size_table.py HEADER LABEL:ELF ...
      one row per image (each ELF has ELF.map beside it): text, data, bss, engine text,
      engine data, engine bss; then the RAM per module
  size_table.py HEADER --matrix FW_DIR --cores "m0 m3 m4f m33" --parts "tls ..." \\
                [--part-cores "m4f"]
      the tables of `make size` from the images mk/firmware.mk names in FW_DIR:
      size-<core>.elf (every dialect), size-<core>-<variant>.elf (luat, quectel, simcom,
      lean-luat, luat-no-<part>) and size-ownmem-<core>.elf (the library's own mem functions)
  size_table.py --flash ELF
      the engine's flash (code, constants and initialised data from libcellmqtt.a), alone
"""

import argparse
import re
import subprocess
import sys

TEXT_SECTIONS = {".isr_vector", ".text", ".ARM.exidx", ".rodata"}
DATA_SECTIONS = {".data"}
BSS_SECTIONS = {".bss"}
ENGINE_ARCHIVE = "libcellmqtt.a("
# The mem functions the engine (and the C side) call; libc members that define them.
MEM_SECTION = re.compile(r"^\.text\.(memcpy|memmove|memset|memcmp|bcmp|__aeabi_mem\w*)$")
LIBC_MEM_MEMBER = re.compile(r"libc(_nano)?\.a\(lib_a-(aeabi_)?(memcpy|memmove|memset|memcmp|"
                             r"memclr|bcmp)[\w-]*\.o\)")

CORES = {
    "m0": ("Cortex-M0", "thumbv6m-none-eabi"),
    "m3": ("Cortex-M3", "thumbv7m-none-eabi"),
    "m4f": ("Cortex-M4F", "thumbv7em-none-eabihf"),
    "m33": ("Cortex-M33", "thumbv8m.main-none-eabihf"),
}
BUILDS = [  # (variant, label); "" = the default library (target/cross)
    ("", "every dialect, full"),
    ("luat", "Luat, full"),
    ("quectel", "Quectel, full"),
    ("simcom", "SIMCom, full"),
    ("lean-luat", "Luat, lean (no parts)"),
]
LOSSES = {
    "tls": "TLS settings (`cfg.tls`, the family's SSL commands): plain TCP to the broker only",
    "cache-mode": "the modules' message-cache receive mode (messages read with a command); "
                  "the direct (pushed) mode stays",
    "mpubex": "Luat `AT+MPUBEX`: long or binary publishes are refused up front",
    "signal-reports": "signal reports (`AT+CSQ` once per attach and on request, "
                      "`CELLMQTT_EVENT_SIGNAL`)",
    "network-time": "the network time (`cellmqtt_request_time`, `AT+CCLK?` read into "
                    "`CELLMQTT_EVENT_TIME`)",
    "power-cycle": "the ladder's power steps (PWRKEY pulse, power cut): it stops at the reset "
                   "pin and `AT+RESET`",
    "logs": "log entries (the `log` callback: which command or line failed, its error code); "
            "counters, losses and events stay",
    "names": "the names (`cellmqtt_*_str`: states, statuses, losses, configuration fields)",
}


def image_size(elf):
    out = subprocess.run(["arm-none-eabi-size", elf], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    text, data, bss = (int(v) for v in out[1].split()[:3])
    return text, data, bss


def map_sections(map_path):
    """Yields (output section, input section name, size, origin) of the placed input sections."""
    in_map = False
    output = None
    pending = None  # an input section name too long for its row; its figures are on the next
    with open(map_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            header = re.match(r"^(\.\S+)", line)
            if header:  # an output section, at column 0
                output, pending = header.group(1), None
                continue
            # An input section: " .name 0xADDR 0xSIZE origin", or " .name" on its own line
            # with "0xADDR 0xSIZE origin" on the next.
            row = re.match(r"^ (\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(.+)$", line)
            if row:
                if row.group(1) != "*fill*" and output is not None:
                    yield output, row.group(1), int(row.group(2), 16), row.group(3)
                pending = None
                continue
            rest = re.match(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(.+)$", line)
            if rest and pending and output is not None:
                yield output, pending, int(rest.group(1), 16), rest.group(2)
            name = re.match(r"^ (\.\S+|COMMON)$", line)
            pending = name.group(1) if name else None


def kind(output):
    if output in TEXT_SECTIONS:
        return "text"
    if output in DATA_SECTIONS:
        return "data"
    if output in BSS_SECTIONS:
        return "bss"
    return None


def engine_share(map_path):
    """(text, data, bss) bytes of input sections from libcellmqtt.a placed in the image."""
    share = {"text": 0, "data": 0, "bss": 0}
    for output, _, size, origin in map_sections(map_path):
        k = kind(output)
        if k and ENGINE_ARCHIVE in origin:
            share[k] += size
    return share["text"], share["data"], share["bss"]


def mem_functions(map_path):
    """(bytes of mem functions from the C library, bytes of them still from libcellmqtt.a)."""
    libc = archive = 0
    for output, name, size, origin in map_sections(map_path):
        if kind(output) != "text":
            continue
        if LIBC_MEM_MEMBER.search(origin):
            libc += size
        elif ENGINE_ARCHIVE in origin and MEM_SECTION.match(name):
            archive += size
    return libc, archive


def handle_size(elf):
    out = subprocess.run(["arm-none-eabi-nm", "-S", elf], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == "size_fw_modem":
            return int(parts[1], 16)
    raise SystemExit("size_table: no size_fw_modem symbol in %s" % elf)


def header_defaults(header):
    text = open(header).read()
    names = ["RX_BUF", "LINE_BUF", "QUEUE_BUF", "SUB_BUF"]
    return {n: int(re.search(r"#define CELLMQTT_%s_DEFAULT (\d+)" % n, text).group(1))
            for n in names}


def ram_table(header, handle):
    defaults = header_defaults(header)
    print("| RAM per module (32-bit) | bytes |")
    print("|---|---:|")
    print("| handle, sizeof(cellmqtt_t) | %d |" % handle)
    for name, size in defaults.items():
        print("| %s (CELLMQTT_%s_DEFAULT) | %d |" % (name.lower(), name, size))
    print("| total with default buffers | %d |" % (handle + sum(defaults.values())))


def rows_table(header, specs):
    """The original interface: one row per LABEL:ELF."""
    rows = []
    handles = set()
    for spec in specs:
        label, elf = spec.split(":", 1)
        text, data, bss = image_size(elf)
        etext, edata, ebss = engine_share(elf + ".map")
        rows.append((label, text, data, bss, etext, edata, ebss))
        handles.add(handle_size(elf))
    print("| target (CPU) | text | data | bss | engine text | engine data | engine bss |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %d | %d | %d | %d | %d | %d |" % r)
    print()
    print("Image: the minimal firmware (init, subscribe, start, publish, superloop) with the LTO")
    print("library; bss includes the handle and the default buffers below. Engine: sections")
    print("from libcellmqtt.a (the Rust engine and the core/compiler_builtins code it uses).")
    print()
    ram_table(header, max(handles))


class Image:
    def __init__(self, elf):
        self.elf = elf
        self.text, self.data, self.bss = image_size(elf)
        self.etext, self.edata, self.ebss = engine_share(elf + ".map")
        self.handle = handle_size(elf)
        self.libc_mem, self.archive_mem = mem_functions(elf + ".map")

    @property
    def flash(self):  # code and constants, plus the initial values of .data (kept in flash)
        return self.etext + self.edata


def matrix(header, fw_dir, cores, parts, part_cores):
    buffers = sum(header_defaults(header).values())
    images = {}

    def image(name):
        if name not in images:
            images[name] = Image("%s/%s.elf" % (fw_dir, name))
        return images[name]

    def elf_name(core, variant):
        return "size-%s-%s" % (core, variant) if variant else "size-%s" % core

    print("| core | build | engine flash | engine data + bss | handle + default buffers "
          "| image text | image data | image bss |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    stray = []
    for core in cores:
        cpu, triple = CORES[core]
        for variant, label in BUILDS:
            im = image(elf_name(core, variant))
            if im.archive_mem:
                stray.append("%s (%d B)" % (im.elf, im.archive_mem))
            print("| %s (`%s`) | %s | %d | %d | %d | %d | %d | %d |" % (
                cpu, triple, label, im.flash, im.edata + im.ebss, im.handle + buffers,
                im.text, im.data, im.bss))
    print()
    print("Engine: the input sections from `libcellmqtt.a` in the linked image (the Rust engine")
    print("and the core/compiler_builtins code it keeps), from the GNU ld map; flash is its code")
    print("and constants. The images take `memcpy`, `memset`, `memcmp` and `__aeabi_mem*` from")
    print("newlib-nano (in image text, not in the engine; the last table has both costs). Image:")
    print("the minimal firmware (init, subscribe, start, publish, superloop), `-Os`,")
    print("`--gc-sections`; its bss holds the handle and the default buffers (%d B)." % buffers)
    if stray:
        print()
        print("**Mem functions still taken from the archive:** %s." % ", ".join(stray))

    print()
    heads = " | ".join("flash, %s" % CORES[c][0] for c in part_cores)
    print("| part (Cargo feature) | %s | handle | what a product loses without it |" % heads)
    print("|---|%s---:|---|" % ("---:|" * len(part_cores)))
    for part in parts:
        costs = []
        handle = None
        for core in part_cores:
            full, without = image(elf_name(core, "luat")), image(elf_name(core, "luat-no-" + part))
            costs.append("%d" % (full.flash - without.flash))
            if handle is None:
                handle = full.handle - without.handle
        print("| `%s` | %s | %d | %s |" % (part, " | ".join(costs), handle,
                                           LOSSES.get(part, "")))
    costs = []
    handle = None
    for core in part_cores:
        full, lean = image(elf_name(core, "luat")), image(elf_name(core, "lean-luat"))
        costs.append("%d" % (full.flash - lean.flash))
        if handle is None:
            handle = full.handle - lean.handle
    print("| all of them (`full`) | %s | %d | a lean build: `--no-default-features "
          "--features <dialect>` |" % (" | ".join(costs), handle))
    print()
    print("Each cost is the Luat build with every part (`luat,full`) minus the same build "
          "without that part, in engine flash; handle is the difference in `sizeof(cellmqtt_t)`.")

    print()
    print("| core | mem functions from newlib-nano | the library's own (compiler-builtins) "
          "| image text, own minus newlib |")
    print("|---|---:|---:|---:|")
    for core in cores:
        cpu, triple = CORES[core]
        libc, own = image(elf_name(core, "")), image("size-ownmem-" + core)
        print("| %s (`%s`) | %d | %d | %+d |" % (
            cpu, triple, libc.libc_mem, own.etext - libc.etext, own.text - libc.text))
    print()
    print("Every dialect, full. Newlib-nano: the members of `libc_nano.a` that define them "
          "(`-Wl,-u,<symbol>` ... `-lc` before the archive); the library's own: what the "
          "engine share grows by when the archive's weak copies are linked instead.")
    print()
    ram_table(header, max(im.handle for im in images.values()))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--flash":
        print(Image(sys.argv[2]).flash)
        return
    if len(sys.argv) > 2 and sys.argv[2] == "--matrix":
        ap = argparse.ArgumentParser(usage=__doc__)
        ap.add_argument("header")
        ap.add_argument("--matrix", required=True, metavar="FW_DIR")
        ap.add_argument("--cores", required=True)
        ap.add_argument("--parts", required=True)
        ap.add_argument("--part-cores", default="m4f")
        a = ap.parse_args()
        matrix(a.header, a.matrix, a.cores.split(), a.parts.split(), a.part_cores.split())
        return
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    rows_table(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    main()
