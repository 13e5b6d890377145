#!/usr/bin/env python3
"""Runs a command and writes the CPU seconds of its process tree by process role and thread group (TSV).

    proc_cpu.py OUT.tsv command...

Like thread_cpu.py (samples /proc/<pid>/task/*/stat every 0.2 s and keeps each thread's last user+system time),
but it tells the processes apart by their command line: "trawl" (the JVM running trawl.jar), "host" (a native host
JVM, io.trawl.worker.isolation.NativeHost), "launcher" (the ./trawl shell and anything else). Threads are grouped
without their numbers: "analyse", "main" (the JVM's "java" thread), "jit" (C1/C2 compiler threads), "gc" (GC and
G1 threads), "vm" (VM Thread, periodic tasks, JFR's own threads) and "other". A thread's CPU is counted up to its
last sample, so short-lived threads are slightly under-counted. Output columns: role, group, seconds, threads.
The command's stdout goes to this stdout; the exit status is the command's.
"""
import collections
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from thread_cpu import process_tree, stat_fields  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def role(pid, cache):
    if pid not in cache:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            return "launcher"
        if "NativeHost" in cmd:
            cache[pid] = "host"
        elif "java" in cmd.split(" ")[0] or " -jar " in cmd:
            cache[pid] = "trawl" if "trawl" in cmd else "other-jvm"
        else:
            cache[pid] = "launcher"
    return cache[pid]


def group(name):
    if name.startswith("analyse"):
        return "analyse"
    if name == "java":
        return "main"
    if name.startswith(("C1 Compiler", "C2 Compiler", "C1 CompilerThre", "C2 CompilerThre")):
        return "jit"
    if name.startswith(("GC Thread", "G1 ", "VM Periodic", "GC ")) and "G1 Service" not in name:
        return "gc"
    if name.startswith(("VM Thread", "JFR", "Service Thread", "G1 Service", "Common-Cleaner", "Monitor Deflat")):
        return "vm"
    return "other"


def main():
    out, command = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(command)
    last, roles = {}, {}
    while child.poll() is None:
        for pid in process_tree(child.pid):
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            r = role(pid, roles)
            for tid in tids:
                try:
                    name, fields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
                except (OSError, ValueError):
                    continue
                last[(pid, tid)] = (r, group(name), (int(fields[11]) + int(fields[12])) / TICKS)
        time.sleep(0.2)
    sums, counts = collections.Counter(), collections.Counter()
    for r, g, seconds in last.values():
        sums[(r, g)] += seconds
        counts[(r, g)] += 1
    with open(out, "w") as f:
        for (r, g), seconds in sorted(sums.items()):
            f.write(f"{r}\t{g}\t{seconds:.2f}\t{counts[(r, g)]}\n")
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
