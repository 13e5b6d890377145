#!/usr/bin/env python3
"""Runs a command and prints the CPU seconds its threads used, summed by thread name.

    bench/lib/thread_cpu.py ./trawl rescan --source DIR --rules PATH

It follows the whole process tree (the launcher runs java as a child) and samples /proc/<pid>/task/*/stat every
0.2 s, keeping each thread's last user+system time, so a thread's CPU is counted up to its last sample: the figures
are slightly low for short-lived threads. Thread names are grouped without their numbers ("analyse-3" and
"analyse-7" are "analyse"; Linux cuts names at 15 characters, so "C2 CompilerThread0" shows as "C2 CompilerThre").
"analyse" are Trawl's partitions (the analyzers, libyara and libfuzzy included), "C1/C2 CompilerThre" the JIT
compilers, "java" the main thread (start-up, the projection), "GC Thread" and "G1 ..." the garbage collector.
"""
import collections
import os
import re
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(path):
    with open(path) as f:
        text = f.read()
    name = text[text.index("(") + 1:text.rindex(")")]
    return name, text[text.rindex(")") + 2:].split()


def process_tree(root):
    """The pid of the root and of every process below it."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(stat_fields(f"/proc/{entry}/stat")[1][1])
            except (OSError, ValueError, IndexError):
                pass
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = {}  # (pid, tid) -> (name, cpu seconds)
    while child.poll() is None:
        for pid in process_tree(child.pid):
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    name, fields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
                except (OSError, ValueError):
                    continue
                last[(pid, tid)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
        time.sleep(0.2)
    by_name = collections.Counter()
    for name, seconds in last.values():
        by_name[re.sub(r"[-#]?\d+$", "", name)] += seconds
    for name, seconds in by_name.most_common(12):
        print(f"{seconds:8.2f}  {name}")
    print(f"{sum(by_name.values()):8.2f}  all threads (exit status {child.returncode})")
    sys.exit(child.returncode)


if __name__ == "__main__":
    main()
