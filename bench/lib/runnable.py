#!/usr/bin/env python3
"""Runs a command and samples, every 50 ms, which threads of its process tree are running or waiting for a core
(state R), to see when a rescan leaves a core idle on a quiet machine (bench/README.md, "Session 13").

    runnable.py OUT.tsv command...
    runnable.py --summary OUT.tsv [BUCKETS=20]

OUT.tsv: seconds since the start, then the R threads by role (trawl, host, other) and by name without numbers
("trawl:analyse=2 host:java=1 ..."). --summary prints, per slice of the run, the mean R threads of each name. On a
loaded machine a thread waiting for a core is R too: read it against the machine's load.
"""
import collections
import os
import re
import subprocess
import sys
import time


def children():
    kids = collections.defaultdict(list)
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open(f'/proc/{pid}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        kids[int(stat[stat.rfind(')') + 2:].split()[1])].append(int(pid))
    return kids


def tree(root):
    kids, found, todo = children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += kids.get(pid, [])
    return found


def role(pid):
    with open(f'/proc/{pid}/cmdline', 'rb') as f:
        cmd = f.read()
    return 'host' if b'NativeHost' in cmd else 'trawl' if b'java' in cmd and b'trawl' in cmd else 'other'


def sample(root):
    names = collections.Counter()
    for pid in tree(root):
        try:
            who = role(pid)
            for tid in os.listdir(f'/proc/{pid}/task'):
                with open(f'/proc/{pid}/task/{tid}/stat') as f:
                    stat = f.read()
                if stat[stat.rfind(')') + 2] == 'R':
                    names[who + ':' + re.sub(r'[-#]?\d+$', '', stat[stat.find('(') + 1:stat.rfind(')')])] += 1
        except OSError:
            pass
    return names


def summary(path, buckets):
    rows = [line.rstrip('\n').split('\t') for line in open(path)]
    end = float(rows[-1][0]) or 1
    sums, counts = collections.defaultdict(collections.Counter), collections.Counter()
    for row in rows:
        k = min(int(float(row[0]) / end * buckets), buckets - 1)
        counts[k] += 1
        for name, n in re.findall(r'(\S[^=]*?)=(\d+)', row[1] if len(row) > 1 else ''):
            sums[k][name.strip()] += int(n)
    for k in sorted(counts):
        top = ' | '.join(f'{name}={n / counts[k]:.2f}' for name, n in sums[k].most_common(6))
        print(f'{k * end / buckets:7.1f}s  {top}')


def main():
    if sys.argv[1] == '--summary':
        summary(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 20)
        return
    with open(sys.argv[1], 'w') as out:
        child = subprocess.Popen(sys.argv[2:])
        start = time.time()
        while child.poll() is None:
            names = sample(child.pid)
            out.write(f"{time.time() - start:.2f}\t{' '.join(f'{k}={v}' for k, v in sorted(names.items()))}\n")
            time.sleep(0.05)
    sys.exit(child.returncode)


if __name__ == '__main__':
    main()
