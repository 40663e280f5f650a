#!/usr/bin/env python3
"""Where the engine's flash goes, by source file of cellmqtt (`make size-attrib`).

Reads a size firmware linked against a library built with line tables
(CARGO_PROFILE_RELEASE_DEBUG=line-tables-only, which leaves the code as it is: the engine
flash it prints is the same as `make size`'s). Every instruction the engine's archive placed
in the image is charged to the innermost inlined frame that lies in cellmqtt's own src/, so a
core helper (Option, slice iterators, checked arithmetic) inlined into the session counts as
session code, as it would disappear with the code that uses it. Instructions without a line
(code LLVM merged from several places) go to the function symbol that holds them; constants
(rodata) are one row, since LTO leaves them unnamed.

Usage: size_attrib.py ELF [SAME_CODE_ELF]
  ELF.map beside each, as every size firmware has. With SAME_CODE_ELF (the image of `make size`
  built without line tables), fails unless both hold the same engine flash: the attribution
  is of the code `make size` measures, not of a variant.
"""

import bisect
import re
import subprocess
import sys

sys.path.insert(0, "tests/firmware/size")
import size_table  # noqa: E402  (the map reader and the engine's archive name)

# Areas in the order the table prints them, each a list of path prefixes under src/.
AREAS = [
    ("session, recovery, bring-up", ["engine/session", "engine/timers", "engine/step",
                                     "engine/recovery", "engine/bringup", "engine/facts",
                                     "engine/mod", "engine/state", "engine/publish",
                                     "engine/shared", "engine/subscribing", "dialect/bringup"]),
    ("receive path", ["engine/rx", "engine/ring", "dialect/tokenizer", "dialect/common",
                      "dialect/response", "dialect/luat/decode", "dialect/quectel/decode",
                      "dialect/simcom/decode"]),
    ("command writer, encoders", ["engine/tx", "dialect/encode", "dialect/mod",
                                  "dialect/luat/", "dialect/quectel/", "dialect/simcom/"]),
    ("C layer (init, conversion, entry points)", ["ffi/"]),
    ("configuration, subscriptions, queue", ["config", "config_field", "subs", "queue", "deque",
                                             "parts"]),
    ("small shared helpers", ["bytes", "time", "event", "stats", "status", "lib"]),
]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def engine_ranges(map_path):
    """[(start, size, kind)] of the input sections libcellmqtt.a placed in flash."""
    ranges = []
    in_map = False
    pending = None
    row = re.compile(r"^ (\.\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.*)$")
    with open(map_path) as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            if re.match(r"^ \.\S+$", line.rstrip("\n")):
                pending = line.strip()
                continue
            m = row.match(line.rstrip("\n"))
            if not m:
                pending = None
                continue
            name = m.group(1) or pending or ""
            pending = None
            start, size, origin = int(m.group(2), 16), int(m.group(3), 16), m.group(4)
            if not size or size_table.ENGINE_ARCHIVE not in origin:
                continue
            if name.startswith(".text"):
                ranges.append((start, size, "text"))
            elif name.startswith((".rodata", ".ARM.exidx", ".data")):
                ranges.append((start, size, "rodata"))
    return ranges


def instructions(elf, ranges):
    """{address: length} of the instructions inside the engine's text ranges."""
    text = [(s, s + n) for s, n, k in ranges if k == "text"]
    starts = sorted(s for s, _ in text)
    ends = dict(text)
    addrs = []
    for line in run("arm-none-eabi-objdump", "-d", "--no-show-raw-insn", elf).splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\s+\S", line)
        if m:
            addrs.append(int(m.group(1), 16))
    addrs.sort()
    out = {}
    for a, b in zip(addrs, addrs[1:] + [None]):
        i = bisect.bisect_right(starts, a) - 1
        if i < 0 or a >= ends[starts[i]]:
            continue
        end = ends[starts[i]]
        out[a] = min(b if b is not None else end, end) - a
    return out


def own_file(location):
    """src/… path of a frame in cellmqtt's own sources, or None (core, compiler-builtins)."""
    path = location.rsplit(":", 1)[0]
    if "/rustc/" in path or "/.cargo/" in path:
        return None
    m = re.search(r"(?:^|/)src/(.+)\.rs$", path)
    return m.group(1) if m else None


def frames(elf, addrs):
    """{address: [location, …]} innermost first, from addr2line's inlined frames."""
    out = {}
    cur = None
    lines = run("arm-none-eabi-addr2line", "-i", "-a", "-e", elf, *[hex(a) for a in addrs])
    for line in lines.splitlines():
        if line.startswith("0x"):
            cur = int(line, 16)
            out[cur] = []
        elif cur is not None:
            out[cur].append(line.split(" ")[0])
    return out


def symbols(elf):
    """Sorted [(start, end, demangled name)] of the functions in the image."""
    syms = []
    for line in run("arm-none-eabi-nm", "-S", "-C", "--defined-only", elf).splitlines():
        p = line.split(None, 3)
        if len(p) == 4 and p[2] in "tT":
            s = int(p[0], 16) & ~1
            syms.append((s, s + int(p[1], 16), p[3]))
    return sorted(syms)


def symbol_file(name):
    """The source file a symbol's module path names (cellmqtt::engine::rx::… → engine/rx)."""
    m = re.match(r"^(?:<)?cellmqtt::((?:\w+::)*?\w+)::(?:<impl|\w+$|[A-Z])", name)
    if not m:
        return None
    return m.group(1).replace("::", "/")


def area_of(path):
    for label, prefixes in AREAS:
        if any(path == p or path.startswith(p if p.endswith("/") else p + "/") or
               (not p.endswith("/") and path == p) for p in prefixes):
            return label
    return "other"


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    elf = sys.argv[1]
    ranges = engine_ranges(elf + ".map")
    insns = instructions(elf, ranges)
    where = frames(elf, sorted(insns))
    syms = symbols(elf)
    sym_starts = [s for s, _, _ in syms]
    by_file = {}
    from_core = 0
    for addr, size in insns.items():
        stack = where.get(addr, [])
        if stack and "/rustc/" in stack[0]:
            from_core += size
        path = next((p for p in map(own_file, stack) if p), None)
        if path is None and all(l.startswith("??") for l in stack):
            i = bisect.bisect_right(sym_starts, addr) - 1
            name = syms[i][2] if i >= 0 and addr < syms[i][1] else ""
            path = symbol_file(name) or (name and "(" + name + ")")
        if path is None:
            path = "(core library, not inlined)"
        by_file[path] = by_file.get(path, 0) + size
    rodata = sum(n for _, n, k in ranges if k == "rodata")
    text = sum(n for _, n, k in ranges if k == "text")
    total = text + rodata
    areas = {}
    for path, n in by_file.items():
        areas.setdefault(area_of(path), []).append((n, path))
    print("| area / source file (src/…) | bytes | share |")
    print("|---|---:|---:|")
    order = [a for a, _ in AREAS] + ["other"]
    for label in order:
        rows = sorted(areas.get(label, []), reverse=True)
        if not rows:
            continue
        sub = sum(n for n, _ in rows)
        print("| **%s** | **%d** | **%.1f %%** |" % (label, sub, 100.0 * sub / total))
        for n, path in rows:
            shown = path if path.startswith("(") else path + ".rs"
            print("| %s | %d | %.1f %% |" % (shown, n, 100.0 * n / total))
    print("| **constants (tables, command texts, names; unwind index)** | **%d** | **%.1f %%** |"
          % (rodata, 100.0 * rodata / total))
    print("| **engine flash** | **%d** | |" % total)
    print()
    print("Inlined from core (Option, slices, integer helpers), counted above with the code that "
          "calls it: %d B (%.1f %%)." % (from_core, 100.0 * from_core / total))
    # Padding between functions is counted with the instruction before it: the sum is exact.
    if sum(insns.values()) != text:
        raise SystemExit("size_attrib: instructions cover %d of %d text bytes"
                         % (sum(insns.values()), text))
    if len(sys.argv) == 3:
        measured = size_table.Image(sys.argv[2]).flash
        if measured != total:
            raise SystemExit("size_attrib: %d B here, %d B in %s: not the same code"
                             % (total, measured, sys.argv[2]))


if __name__ == "__main__":
    main()
