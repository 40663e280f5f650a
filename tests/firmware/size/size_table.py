#!/usr/bin/env python3
"""Prints the footprint table of `make size` (Markdown, ready for the README).

For each minimal firmware (tests/firmware/size/main.c linked for one Cortex-M): text, data
and bss of the image (arm-none-eabi-size), the engine's share of each (summed over the input
sections that came from libcellmqtt.a, read from the GNU ld map: the Rust engine with the
parts of core and compiler_builtins it pulls in), then the fixed RAM of a handle (the size of
the firmware's cellmqtt_t symbol) and the default buffer sizes from the header.

Usage: size_table.py HEADER LABEL:ELF ... (each ELF has ELF.map beside it)
"""

import re
import subprocess
import sys

TEXT_SECTIONS = {".isr_vector", ".text", ".ARM.exidx", ".rodata"}
DATA_SECTIONS = {".data"}
BSS_SECTIONS = {".bss"}
ENGINE_ARCHIVE = "libcellmqtt.a("


def image_size(elf):
    out = subprocess.run(["arm-none-eabi-size", elf], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    text, data, bss = (int(v) for v in out[1].split()[:3])
    return text, data, bss


def engine_share(map_path):
    """(text, data, bss) bytes of input sections from libcellmqtt.a placed in the image."""
    share = {"text": 0, "data": 0, "bss": 0}
    in_map = False
    output = None
    name_alone = False  # the previous line was an input section name too long for its row
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
                output, name_alone = header.group(1), False
                continue
            # An input section: " .name 0xADDR 0xSIZE origin", or " .name" on its own line
            # with "0xADDR 0xSIZE origin" on the next.
            row = re.match(r"^ (\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(.+)$", line)
            if row:
                if row.group(1) != "*fill*":
                    add(share, output, int(row.group(2), 16), row.group(3))
                name_alone = False
                continue
            rest = re.match(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(.+)$", line)
            if rest and name_alone:
                add(share, output, int(rest.group(1), 16), rest.group(2))
            name_alone = re.match(r"^ (\.\S+|COMMON)$", line) is not None
    return share["text"], share["data"], share["bss"]


def add(share, output, size, origin):
    if ENGINE_ARCHIVE not in origin or output is None:
        return
    if output in TEXT_SECTIONS:
        share["text"] += size
    elif output in DATA_SECTIONS:
        share["data"] += size
    elif output in BSS_SECTIONS:
        share["bss"] += size


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


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    header = sys.argv[1]
    rows = []
    handles = set()
    for spec in sys.argv[2:]:
        label, elf = spec.split(":", 1)
        text, data, bss = image_size(elf)
        etext, edata, ebss = engine_share(elf + ".map")
        rows.append((label, text, data, bss, etext, edata, ebss))
        handles.add(handle_size(elf))
    print("| target (CPU) | text | data | bss | engine text | engine data | engine bss |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %d | %d | %d | %d | %d | %d |" % r)
    defaults = header_defaults(header)
    handle = max(handles)
    total = handle + sum(defaults.values())
    print()
    print("Image: the minimal firmware (init, subscribe, start, publish, superloop) with the LTO")
    print("library; bss includes the handle and the default buffers below. Engine: sections")
    print("from libcellmqtt.a (the Rust engine and the core/compiler_builtins code it uses).")
    print()
    print("| RAM per module (32-bit) | bytes |")
    print("|---|---:|")
    print("| handle, sizeof(cellmqtt_t) | %d |" % handle)
    for name, size in defaults.items():
        print("| %s (CELLMQTT_%s_DEFAULT) | %d |" % (name.lower(), name, size))
    print("| total with default buffers | %d |" % total)


if __name__ == "__main__":
    main()
