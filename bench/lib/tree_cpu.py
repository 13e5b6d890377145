#!/usr/bin/env python3
"""Prints the CPU seconds used so far by each process tree, one "NAME<TAB>seconds" line per NAME=PID argument.

    tree_cpu.py [--threads] manager=1234 worker1=1240 ...

A tree is the process and every live process below it (thread_cpu.process_tree). Each counts its user + system
time and that of its children already waited for (cutime, cstime), so a native host that exited is still counted
by its parent. Taken before and after a job, the difference is what the tree spent on it. A PID that is gone
prints 0, so a dead process is visible rather than fatal. --threads adds "NAME/GROUP<TAB>seconds" lines: the live
threads of the tree's processes by group (proc_cpu.group, plus "dynamodb" for Trawl's DynamoDB fan-out, "sdk" for
the AWS SDK's own threads, "http" for the web server's request threads, "host" for the native host processes), and "NAME/rest" for what they do not account for
(threads that ended, children waited for).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc_cpu import group  # noqa: E402
from thread_cpu import process_tree, stat_fields  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def seconds(fields, children=True):
    # after the ")": state is field 0, so utime, stime, cutime, cstime are 11 to 14
    return sum(int(v) for v in fields[11:15 if children else 13]) / TICKS


def thread_group(name):
    if name.startswith("trawl-dynamodb"):
        return "dynamodb"
    if name.startswith(("aws-java-sdk", "sdk-async", "sqs-")):
        return "sdk"
    if name.startswith("http-nio"):
        return "http"
    return group(name)


def tree(root, threads):
    total, groups = 0.0, {}
    for pid in process_tree(root):
        try:
            fields = stat_fields(f"/proc/{pid}/stat")[1]
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except (OSError, ValueError, IndexError):
            continue
        total += seconds(fields)
        if not threads or b"java" not in cmdline:
            continue
        if b"NativeHost" in cmdline:
            groups["host"] = groups.get("host", 0.0) + seconds(fields)
            continue
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                name, tfields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
            except (OSError, ValueError, IndexError):
                continue
            g = thread_group(name)
            groups[g] = groups.get(g, 0.0) + seconds(tfields, children=False)
    if threads:
        groups["rest"] = max(0.0, total - sum(groups.values()))
    return total, groups


def main(args):
    threads = bool(args) and args[0] == "--threads"
    args = args[1:] if threads else args
    if not args or any("=" not in a for a in args):
        sys.exit("usage: tree_cpu.py [--threads] NAME=PID ...")
    for arg in args:
        name, pid = arg.split("=", 1)
        total, groups = tree(int(pid), threads) if os.path.isdir(f"/proc/{pid}") else (0.0, {})
        print(f"{name}\t{total:.2f}")
        for g in sorted(groups):
            print(f"{name}/{g}\t{groups[g]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
