#!/usr/bin/env python3
"""Turns a profiled rescan (bench/profile.sh) into CPU seconds per part, per GB and per 1,000 samples.

    profile_report.py PROFILE_DIR [--top 25]

PROFILE_DIR holds, per mode ("hosts": native code in host processes, the default; "injvm":
TRAWL_ISOLATE_NATIVE_CODE=false): <mode>/trawl.jfr (the rescan's JVM), <mode>/cpu.tsv (bench/lib/proc_cpu.py: CPU by process role and thread group), <mode>/summary.json (the rescan's
last line) and info.tsv (corpus bytes and files).

The JFR recordings have JDK 25's CPU-time sampler on (jdk.CPUTimeSample, one sample per 10 ms of a thread's CPU,
native code included, so libyara and libfuzzy show up under the Java method that called them). Each sample is put
in one part by its stack, leaf first: the first frame that names a part decides (RULES below; the two catch-alls,
Spring Batch and start-up, only when no other rule matches any frame). The parts of the
Java threads are then scaled to the Java threads' CPU that /proc measured (samples get lost under load), and the
threads JFR does not sample (JIT compilers, GC, VM threads, the launcher) are added from /proc as they are.
--split takes a second profile of another corpus shape (the large-file corpus of make_corpus.py, say) and solves,
per part and mode, cost = a * GB + b * (samples / 1000) through the two runs: a is the part's cost per GB, b its cost
per 1,000 samples beyond its bytes. Two points and a noisy machine: read the signs and sizes, not the decimals.
The native hosts are killed when the job ends, so a recording in them never reaches the disk: their CPU is taken
whole from /proc and split with the injvm run's libyara and libfuzzy figures (split_hosts).
"""
import collections
import json
import os
import re
import subprocess
import sys

# (part, regex on "package.Class.method"), tried on each frame from the leaf down; the first frame that matches
# any rule decides the sample's part.
RULES = [
    ("rule compilation", r"^io\.trawl\.worker\.yara\.\w+\.(compile\w*|load\w*|<clinit>|<init>)$|"
                         r"^io\.trawl\.jobs\.rules\.|yr_compiler|\.YaraRules\.(compile|of|from)"),
    ("yara (libyara scan)", r"^io\.trawl\.worker\.yara\."),
    ("ssdeep (libfuzzy)", r"^io\.trawl\.worker\.analysis\.fuzzy\."),
    ("tlsh", r"^io\.trawl\.worker\.analysis\.tlsh\."),
    ("strings and IOCs", r"^io\.trawl\.worker\.analysis\.strings\."),
    ("pe", r"^io\.trawl\.worker\.analysis\.pe\."),
    ("elf", r"^io\.trawl\.worker\.analysis\.elf\."),
    ("archive", r"^io\.trawl\.worker\.analysis\.archive\."),
    ("fileType", r"^io\.trawl\.worker\.analysis\.filetype\."),
    ("mimeType (Tika)", r"^io\.trawl\.worker\.analysis\.content\.MimeType|^org\.apache\.tika\."),
    ("entropy", r"^io\.trawl\.worker\.analysis\.content\.Entropy|^io\.trawl\.worker\.analysis\.bytes\.ByteHistogram"),
    ("hashes", r"^io\.trawl\.worker\.analysis\.hash\."),
    ("native host round trips", r"^io\.trawl\.worker\.isolation\.|^io\.trawl\.jobs\.analysis\.NativeHostPools"),
    ("reading samples", r"^io\.trawl\.worker\.source\.|^io\.trawl\.jobs\.rescan\.(SampleRange|SampleSources|Found)"
                        r"|^io\.trawl\.worker\.analysis\.bytes\."),
    ("event writes (JDBC, JSON)", r"^io\.trawl\.jobs\.rescan\.EventWriter|^io\.trawl\.readmodel\.(event|jdbc\.JdbcEventStore)"),
    ("projection", r"^io\.trawl\.jobs\.rescan\.ProjectTasklet|^io\.trawl\.readmodel\.(jdbc\.JdbcQueryTables|query)"),
    ("analysis orchestration, verdicts", r"^io\.trawl\.worker\.analysis\.|^io\.trawl\.jobs\.rescan\.(AnalyseProcessor|CarefulChunk|SampleOutcome|SampleMeters)"),
    ("Spring Batch step and job repository", r"^org\.springframework\.batch\."),
    ("start-up: Spring context, CLI, launch", r"^org\.springframework\.|^io\.trawl\.jobs\.|^tools\.jackson|^com\.fasterxml"),
]
COMPILED = [(part, re.compile(rx)) for part, rx in RULES]
FRAME = re.compile(r"^\s+([\w$.<>]+)\(")
PERIOD = re.compile(r"samplingPeriod = ([\d.]+) ms")
THREAD = re.compile(r'eventThread = "([^"]*)"')
# the per-run parts: their cost does not grow with the corpus
FIXED = {"rule compilation", "start-up: Spring context, CLI, launch", "JVM: JIT compilers", "launcher (./trawl)"}


def samples(path):
    """(thread, ms, [frames]) of every jdk.CPUTimeSample in a recording."""
    text = subprocess.run(["jfr", "print", "--events", "jdk.CPUTimeSample", "--stack-depth", "64", path],
                          capture_output=True, text=True, check=False).stdout
    for block in text.split("jdk.CPUTimeSample {")[1:]:
        period = PERIOD.search(block)
        thread = THREAD.search(block)
        frames = [m.group(1) for m in (FRAME.match(line) for line in block.splitlines()) if m]
        yield (thread.group(1) if thread else "?", float(period.group(1)) if period else 10.0, frames)


def part_of(thread, frames, host=False):
    # the specific parts first, over the whole stack; the framework's catch-alls (the last two rules) only after
    for rules in (COMPILED[:-2], COMPILED[-2:]):
        for frame in frames:
            for part, rx in rules:
                if rx.search(frame):
                    return part
    if thread == "main":
        return "start-up: Spring context, CLI, launch"
    if frames and frames[0].startswith(("java.", "jdk.", "sun.")) and any(f.startswith("org.h2") for f in frames):
        return "event writes (JDBC, JSON)"
    return "other Java (" + (thread.split("-")[0] if thread else "?") + ")"


def mode_table(folder):
    cpu = collections.Counter()
    with open(os.path.join(folder, "cpu.tsv")) as f:
        for line in f:
            role, group, seconds, _ = line.rstrip("\n").split("\t")
            cpu[(role, group)] += float(seconds)
    parts = collections.Counter()
    jvm_ms = collections.Counter()
    tops = collections.Counter()
    for thread, ms, frames in samples(os.path.join(folder, "trawl.jfr")):
        part = part_of(thread, frames, False)
        jvm_ms[part] += ms
        if frames:
            tops[(part, frames[0])] += ms
    # the samples of the JVM's Java threads, scaled to those threads' CPU as /proc measured it (JFR drops samples
    # under load); the threads JFR does not sample, from /proc as they are
    measured = sum(cpu[("trawl", g)] for g in ("analyse", "main", "other"))
    total = sum(jvm_ms.values())
    for part, ms in jvm_ms.items():
        parts[part] += measured * ms / total if total else 0
    parts["JVM: JIT compilers"] += cpu[("trawl", "jit")]
    parts["JVM: GC, VM and JFR threads"] += cpu[("trawl", "gc")] + cpu[("trawl", "vm")]
    parts["launcher (./trawl)"] += sum(v for (r, _), v in cpu.items() if r in ("launcher", "other-jvm"))
    host_total = sum(v for (r, _), v in cpu.items() if r == "host")
    return parts, cpu, tops, total / 1000, host_total


HOST_PARTS = ("yara (libyara scan)", "ssdeep (libfuzzy)")


def split_hosts(tables):
    """The host processes' CPU (measured whole from /proc; a host is killed at the end, so its own JFR recording
    never reaches the disk): libyara's and libfuzzy's share taken from the injvm run, where they run in the JVM and
    are sampled, and the rest (host JVM start-up, C1, request framing, reading each sample again) as overhead."""
    if "hosts" not in tables:
        return
    parts, _, _, _, host_total = tables["hosts"]
    if not host_total:
        return
    if "injvm" in tables:
        native = {p: tables["injvm"][0].get(p, 0.0) for p in HOST_PARTS}
        for p, v in native.items():
            parts[p] += min(v, host_total * v / max(sum(native.values()), 1e-9))
        parts["native hosts: JVM start-up, C1, framing, second read"] += max(0.0, host_total - sum(native.values()))
    else:
        parts["native hosts: all (libyara, libfuzzy, host JVMs)"] += host_total


def split(other, folder, tables, summaries, gb, every):
    """Per part: a (CPU s per GB) and b (CPU s per 1,000 samples) from this profile and another shape's."""
    with open(os.path.join(other, "info.tsv")) as f:
        info2 = dict(line.rstrip("\n").split("\t", 1) for line in f)
    gb2 = int(info2["bytes"]) / 1e9
    modes = [m for m in tables if os.path.exists(os.path.join(other, m, "cpu.tsv"))]
    tables2 = {m: mode_table(os.path.join(other, m)) for m in modes}
    split_hosts(tables2)
    print(f"split against {other} ({info2['files']} files, {gb2 * 1000:.1f} MB): cost = a * GB + b * k samples")
    head = f"{'part':<40}" + "".join(f" | {m + ' a s/GB':>13} {'b s/1k':>7}" for m in modes)
    print(head)
    print("-" * len(head))
    for part in every:
        if part in FIXED or not any(tables[m][0].get(part, 0) >= 0.05 for m in modes):
            continue
        row = f"{part:<40}"
        for m in modes:
            with open(os.path.join(other, m, "summary.json")) as f:
                k2 = json.loads(f.read().strip().splitlines()[-1])["samples"] / 1000
            k1 = summaries[m]["samples"] / 1000
            c1, c2 = tables[m][0].get(part, 0.0), tables2[m][0].get(part, 0.0)
            det = gb * k2 - gb2 * k1
            a = (c1 * k2 - c2 * k1) / det if det else float("nan")
            b = (gb * c2 - gb2 * c1) / det if det else float("nan")
            row += f" | {a:>13.2f} {b:>7.2f}"
        print(row)
    print()


def main():
    folder = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    info = {}
    with open(os.path.join(folder, "info.tsv")) as f:
        for line in f:
            k, v = line.rstrip("\n").split("\t", 1)
            info[k] = v
    gb = int(info["bytes"]) / 1e9
    modes = [m for m in ("hosts", "injvm") if os.path.exists(os.path.join(folder, m, "cpu.tsv"))]
    tables, summaries = {}, {}
    for mode in modes:
        tables[mode] = mode_table(os.path.join(folder, mode))
    split_hosts(tables)
    for mode in modes:
        with open(os.path.join(folder, mode, "summary.json")) as f:
            summaries[mode] = json.loads(f.read().strip().splitlines()[-1])
    print(f"corpus  {info['corpus']}: {info['files']} files, {int(info['bytes']) / 1e6:.1f} MB; rules {info['rules']}")
    print(f"machine {info.get('uptime', '')}")
    for mode in modes:
        s = summaries[mode]
        parts, cpu, _, jvm_s, host_s = tables[mode]
        print(f"{mode:<6}  {s['samples']} samples, job {s['seconds']} s, wall {info.get(mode + '.wall', '?')} s, "
              f"CPU {info.get(mode + '.cpu', '?')} s (time), {sum(cpu.values()):.1f} s (/proc); JFR sampled "
              f"{jvm_s:.1f} s of the JVM's threads; native hosts {host_s:.1f} CPU s (/proc)")
    print()
    order = [p for p, _ in RULES] + ["native hosts: JVM start-up, C1, framing, second read",
                                     "native hosts: all (libyara, libfuzzy, host JVMs)",
                                     "JVM: JIT compilers", "JVM: GC, VM and JFR threads", "launcher (./trawl)"]
    every = list(dict.fromkeys(order + sorted({p for m in modes for p in tables[m][0]})))
    head = f"{'part':<40}" + "".join(f" | {m + ' CPU s':>11} {'s/GB':>7} {'s/1k smp':>8}" for m in modes)
    print(head)
    print("-" * len(head))
    totals = collections.Counter()
    for part in every:
        if not any(tables[m][0].get(part, 0) >= 0.005 for m in modes):
            continue
        row = f"{part + (' *' if part in FIXED else ''):<40}"
        for m in modes:
            v = tables[m][0].get(part, 0.0)
            totals[m] += v
            k = summaries[m]["samples"] / 1000
            row += f" | {v:>11.2f} {v / gb:>7.2f} {v / k:>8.2f}"
        print(row)
    row = f"{'all':<40}"
    for m in modes:
        row += f" | {totals[m]:>11.2f} {totals[m] / gb:>7.2f} {totals[m] / (summaries[m]['samples'] / 1000):>8.2f}"
    print(row)
    print("* per run, not per byte or sample: the per-GB and per-1k figures are this corpus's share")
    print()
    if "--split" in sys.argv:
        split(sys.argv[sys.argv.index("--split") + 1], folder, tables, summaries, gb, every)
    for m in modes:
        tops = tables[m][2]
        total = sum(tops.values()) or 1
        print(f"top frames, {m} (part: leaf frame, share of sampled CPU)")
        for (part, frame), ms in tops.most_common(top):
            print(f"  {100 * ms / total:5.1f}%  {part}: {frame}")
        print()


if __name__ == "__main__":
    main()
