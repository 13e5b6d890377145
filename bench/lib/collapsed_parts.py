#!/usr/bin/env python3
"""Splits async-profiler's collapsed stacks (CPU mode, `threads`) of a rescan into parts, as bench/README.md's
"Session 13" table does.

    collapsed_parts.py job JOB.collapsed [--cpu SECONDS] [--gb 1.8 --samples 5679]
    collapsed_parts.py host HOST.collapsed...

job: the analysing threads (analyse-*, with the hash and side-by-side helpers) by analyzer (the innermost
`...Analyzer.analyse` frame; the YARA round trip is IsolatedAnalyzer), else reading, bookkeeping or other; with
--cpu (the analysing threads' CPU seconds from proc_cpu.py), each part in CPU s, per GB and per 1,000 samples.
host: the native hosts' main threads: libyara's scans, the framing, opening the sample, the scanner's creation.
"""
import argparse
import collections
import re

ANALYZER = re.compile(r'io/trawl/worker/(?:analysis/(?:\w+/)*|isolation/)(\w+Analyzer)\.analyse')
DIGESTS = ('md5_implCompress', 'sha1_implCompress', 'sha256_implCompress', 'sha512_implCompress')


def stacks(paths):
    for path in paths:
        for line in open(path):
            stack, n = line.rstrip('\n').rsplit(' ', 1)
            yield stack, int(n)


def job_part(stack):
    found = ANALYZER.findall(stack)
    if found:
        return found[-1]
    # the digest stubs' samples often lose the frames above them; they are the hash analyzer's
    if 'HashAnalyzer' in stack or any(d in stack for d in DIGESTS):
        return 'HashAnalyzer'
    if 'io/trawl/worker/source' in stack:
        return 'reading samples'
    if any(k in stack for k in ('io/trawl/jobs', 'io/trawl/readmodel', 'org/h2', 'springframework/batch')):
        return 'bookkeeping (events, manifests, chunks, commits)'
    return 'other (JVM, kernel, unattributed)'


def host_part(stack):
    if 'yr_scanner_create' in stack:
        return 'scanner creation'
    if 'yr_scanner_scan' in stack or 'yr_rules_scan' in stack:
        return "libyara's scan"
    if 'Frames' in stack:
        return 'framing'
    if 'Sample' in stack or 'open' in stack:
        return 'opening the sample'
    return 'other'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('kind', choices=['job', 'host'])
    parser.add_argument('files', nargs='+')
    parser.add_argument('--cpu', type=float)
    parser.add_argument('--gb', type=float, default=1.80003)
    parser.add_argument('--samples', type=int, default=5679)
    args = parser.parse_args()
    parts = collections.Counter()
    for stack, n in stacks(args.files):
        thread = stack.split(';', 1)[0]
        if args.kind == 'job' and thread.startswith('[analyse'):
            parts[job_part(stack)] += n
        elif args.kind == 'host' and thread.startswith('[main'):
            parts[host_part(stack)] += n
    total = sum(parts.values()) or 1
    for part, n in parts.most_common():
        line = f'| {part} | {100 * n / total:.1f}% |'
        if args.cpu:
            cpu = args.cpu * n / total
            line += f' {cpu:.2f} | {cpu / args.gb:.2f} | {cpu / (args.samples / 1000):.3f} |'
        print(line)


if __name__ == '__main__':
    main()
