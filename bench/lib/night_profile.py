#!/usr/bin/env python3
"""Shares of a profiled night by thread and by part: async-profiler's collapsed stacks (`threads` on), as
bench/README.md's "Session 11: what a reused sample costs in a running service" takes them.

    night_profile.py OUT.collapsed [THREAD_PREFIX: analyse]

Prints the samples per thread name (digits dropped), then the threads named THREAD_PREFIX by part: each stack goes
to the first part in CATS whose keys one of its frames holds, else "other".
"""
import sys, re, collections
f = sys.argv[1]
threads = collections.Counter(); total = 0
rows = []
for line in open(f):
    stack, n = line.rstrip().rsplit(' ', 1); n = int(n); total += n
    frames = stack.replace('/', '.').split(';')
    t = re.sub(r'[-_ ]?\d+.*$', '', frames[0].strip('[]'))
    threads[t] += n
    rows.append((t, frames, n))
print('total samples', total)
for t, n in threads.most_common(15): print(f'{n:8d} {100*n/total:5.1f}% {t}')
want = sys.argv[2] if len(sys.argv) > 2 else 'analyse'
CATS = [
 ('projection', ['ProjectTasklet', 'ResultProjection']),
 ('summaryDiff', ['SummaryDiff']),
 ('prefetch findAll', ['BaseResults.prefetch']),
 ('lookup analysed single', ['BaseResults.analysed']),
 ('head stream parse', ['Incremental.stored', 'Incremental.head']),
 ('full parse', ['Incremental.parsed', 'LinkedHashMap.class']),
 ('delta scan', ['Incremental.scan']),
 ('merged/rebuild', ['Incremental.merged']),
 ('patchable/asItIs', ['Incremental.patchable', 'Incremental.asItIs']),
 ('reusable other', ['Incremental.reusable']),
 ('writeValueAsString', ['writeValueAsString']),
 ('event append', ['JdbcEventStore.append']),
 ('manifest put', ['JdbcManifests.put']),
 ('manifest range', ['JdbcManifests']),
 ('Found/context', ['Found.add']),
 ('listing', ['FolderSampleSource', 'SampleRangeReader.readAhead']),
 ('careful', ['CarefulChunk']),
 ('exec ctx save', ['updateExecutionContext', 'ExecutionContextSerializer', 'ExecutionContextDao']),
 ('step update', ['JobRepository.update', 'SimpleJobRepository.update', 'StepExecutionDao']),
 ('commit', ['commit']),
 ('H2 other', ['org.h2']),
 ('batch other', ['org.springframework.batch']),
]
cat = collections.Counter(); sub = 0
for t, frames, n in rows:
    if not t.startswith(want): continue
    sub += n
    s = ';'.join(frames)
    for name, keys in CATS:
        if any(k in s for k in keys):
            cat[name] += n; break
    else:
        cat['other'] += n
print(f'--- {want}: {sub} samples')
for name, n in cat.most_common(): print(f'{n:8d} {100*n/sub:5.1f}% {name}')
