#!/usr/bin/env python3
"""Prints the CPU seconds used so far by each process tree, one "NAME<TAB>seconds" line per NAME=PID argument.

    tree_cpu.py manager=1234 worker1=1240 ...

A tree is the process and every live process below it (thread_cpu.process_tree). Each counts its user + system
time and that of its children already waited for (cutime, cstime), so a native host that exited is still counted
by its parent. Taken before and after a job, the difference is what the tree spent on it. A PID that is gone
prints 0, so a dead process is visible rather than fatal.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thread_cpu import process_tree, stat_fields  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def tree_seconds(root):
    total = 0
    for pid in process_tree(root):
        try:
            fields = stat_fields(f"/proc/{pid}/stat")[1]
        except (OSError, ValueError, IndexError):
            continue
        # after the ")": state is field 0, so utime, stime, cutime, cstime are 11 to 14
        total += sum(int(v) for v in fields[11:15])
    return total / TICKS


def main(args):
    if not args or any("=" not in a for a in args):
        sys.exit("usage: tree_cpu.py NAME=PID ...")
    for arg in args:
        name, pid = arg.split("=", 1)
        print(f"{name}\t{tree_seconds(int(pid)) if os.path.isdir(f'/proc/{pid}') else 0.0:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
