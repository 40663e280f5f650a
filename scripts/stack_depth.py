#!/usr/bin/env python3
"""Worst-case stack depth of a function in an ARM Thumb ELF, from its disassembly.

Each function's frame is read from its prologue (push/stmdb of registers, vpush, sub sp); the
call graph from its direct calls (bl, and b.w/b tail jumps to other functions). The depth of
a function is its frame plus the deepest callee. Indirect calls (blx rN: the C callbacks) are
reported, not followed: their stack is the application's. Recursion would be reported and
stops the walk. Deterministic for a given image.

  scripts/stack_depth.py firmware.elf cellmqtt_poll [cellmqtt_feed ...]
"""
import re, subprocess, sys

def disassemble(elf):
    out = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True, check=True).stdout
    funcs, order, cur = {}, [], None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if m:
            cur = m.group(2)
            funcs[cur] = {"addr": int(m.group(1), 16), "insns": []}
            order.append(cur)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and cur:
            funcs[cur]["insns"].append((int(m.group(1), 16), m.group(2), m.group(3)))
    return funcs

def regs(text):
    inner = text[text.find("{") + 1:text.find("}")]
    n = 0
    for part in inner.split(","):
        part = part.strip()
        m = re.match(r"([a-z]+)(\d+)-[a-z]+(\d+)", part)
        n += int(m.group(3)) - int(m.group(2)) + 1 if m else 1
    return n

def frame(insns):
    """Bytes the prologue reserves: everything before the first non-prologue instruction that
    is not a prologue instruction is ignored; frames grown later (alloca) are not modelled."""
    size = 0
    for _, op, args in insns[:12]:
        if op in ("push", "push.w") or (op.startswith("stmdb") and args.startswith("sp!")):
            size += 4 * regs(args)
        elif op == "vpush":
            size += 8 * regs(args)
        elif op.startswith("sub") and re.match(r"sp, (sp, )?#", args):
            size += int(re.search(r"#(\d+)", args).group(1))
    return size

def main():
    elf, roots = sys.argv[1], sys.argv[2:]
    funcs = disassemble(elf)
    by_addr = {f["addr"]: name for name, f in funcs.items()}
    memo, indirect = {}, {}

    def depth(name, path):
        if name in memo:
            return memo[name]
        if name in path:
            sys.exit(f"recursion through {name}")
        f = funcs.get(name)
        if f is None:
            return (0, [name])
        best = (0, [])
        for _, op, args in f["insns"]:
            m = re.match(r"([0-9a-f]+) <([^>+]+)>", args)
            if op.startswith("blx") and not m:
                indirect[name] = indirect.get(name, 0) + 1
            if (op.startswith("bl") or op in ("b.w", "b")) and m:
                target = by_addr.get(int(m.group(1), 16))
                if target and target != name:
                    d = depth(target, path | {name})
                    if d[0] > best[0]:
                        best = d
        memo[name] = (frame(f["insns"]) + best[0], [name] + best[1])
        return memo[name]

    for root in roots:
        d, chain = depth(root, frozenset())
        print(f"stack_{root} {d}   (deepest: {' > '.join(chain)}; frames from the prologues, "
              f"C callbacks not included)")

main()
