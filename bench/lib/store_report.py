#!/usr/bin/env python3
"""The table and the file-by-file check of bench/store-shape.sh.

    store_report.py RUN_DIR

RUN_DIR holds the CLIs' outputs (md5/sha1/sha256/ssdeep/yara/tlsh .txt), times.tsv (a row per side and run),
sizes.tsv, summary-<side>-<n>.json, results-<side>.jsonl for trawl, trawl-shared and, when the service sides ran,
trawl-service and trawl-service-shared (./trawl results of the last run), peer.jsonl (the peer's last run) and
info.tsv. Every figure is the median over the runs. Exits 1 on a mismatch.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rescan_report import exit_on_mismatches, read_ssdeep, read_sums, read_tsv, read_yara  # noqa: E402

NATIVE = ["yara", "ssdeep", "md5sum", "sha1sum", "sha256sum"]
TARGETS = {"trawl": 1.0, "trawl-shared": 1.5, "trawl-service": 1.0, "trawl-service-shared": 1.5}
EVERY = ["md5", "sha1", "size", "ssdeep", "tlsh"]
SHARED = ["md5", "sha1", "size", "ssdeep"]


def read_tlsh(path):
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t", 1)
                if len(parts) == 2:
                    out[parts[1]] = parts[0]
    return out


def read_docs(path):
    docs = {}
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("{") and '"sha256"' in line:
                doc = json.loads(line)
                if doc.get("depth", 0) == 0 or doc["sha256"] not in docs:
                    docs[doc["sha256"]] = doc
    return docs


def check(label, docs, sizes, sums, ssdeep, yara, tlsh, fields):
    md5, sha1, sha256 = sums
    problems = []
    for name, size in sorted(sizes.items()):
        digest = sha256.get(name)
        doc = docs.get(digest)
        if doc is None:
            problems.append(f"{label}: {name}: sha256 {digest} is not in its results")
            continue
        want = {"md5": md5.get(name), "sha1": sha1.get(name), "size": size, "ssdeep": ssdeep.get(name)}
        for field in (f for f in fields if f != "tlsh"):
            if doc.get(field) != want[field]:
                problems.append(f"{label}: {name}: {field} is {doc.get(field)!r}, the CLI says {want[field]!r}")
        if tlsh:
            got = (doc.get("tlsh") or "").upper()
            got = got[2:] if got.startswith("T1") else got
            cli = tlsh.get(name, "").upper()
            cli = cli[2:] if cli.startswith("T1") else cli
            if cli and cli != "TNULL" and got != cli:
                problems.append(f"{label}: {name}: tlsh is {got!r}, the CLI says {cli!r}")
        if doc.get("errors"):
            problems.append(f"{label}: {name}: analyzer errors {doc['errors']}")
        got = {f"{m['namespace']}:{m['rule']}" for m in doc.get("yaraMatches", [])}
        if got != yara.get(name, set()):
            problems.append(f"{label}: {name}: YARA differs; only {label} {sorted(got - yara.get(name, set()))}, "
                            f"only yara {sorted(yara.get(name, set()) - got)}")
    return problems


def main():
    run = sys.argv[1]
    p = lambda name: os.path.join(run, name)
    info = dict(read_tsv(p("info.tsv")))
    sizes = {name: int(size) for size, name in read_tsv(p("sizes.tsv"))}
    sums = read_sums(p("md5.txt")), read_sums(p("sha1.txt")), read_sums(p("sha256.txt"))
    ssdeep = read_ssdeep(p("ssdeep.txt"))
    yara = read_yara(p("yara.txt"), sizes)
    tlsh = read_tlsh(p("tlsh.txt"))
    runs = int(info["repeat"])
    rows = read_tsv(p("times.tsv"))
    sides = list(dict.fromkeys(r[0] for r in rows))
    wall = {s: statistics.median(float(r[1]) for r in rows if r[0] == s) for s in sides}
    cpu = {s: statistics.median(float(r[2]) for r in rows if r[0] == s) for s in sides}

    def own(side):
        vals = []
        for i in range(1, runs + 1):
            path = p(f"summary-{side}-{i}.json")
            if os.path.exists(path):
                with open(path) as f:
                    vals.append(float(json.loads(f.read())["seconds"]))
        return statistics.median(vals) if vals else None

    problems = []
    for side in [s for s in sides if s.startswith("trawl")]:
        for i in range(1, runs + 1):
            with open(p(f"summary-{side}-{i}.json")) as f:
                summary = json.loads(f.read())
            if summary.get("status") != "COMPLETED" or summary.get("files") != len(sizes):
                problems.append(f"{side} run {i}: {summary.get('status')}, {summary.get('files')} files of {len(sizes)}")
    for side, fields in (("trawl", EVERY), ("trawl-shared", SHARED), ("trawl-service", EVERY),
                         ("trawl-service-shared", SHARED)):
        docs = read_docs(p(f"results-{side}.jsonl"))
        if docs is not None:
            problems += check(side, docs, sizes, sums, ssdeep, yara, tlsh if "tlsh" in fields else {}, fields)
    peer_docs = read_docs(p("peer.jsonl"))
    if peer_docs is not None:
        problems += check("peer", peer_docs, sizes, sums, ssdeep, yara, tlsh, ["md5", "sha1", "size", "ssdeep", "tlsh"])

    total = sum(sizes.values())
    mb = total / 1e6
    native_tools = [t for t in NATIVE if t in wall]
    native = sum(wall[t] for t in native_tools)
    native_cpu = sum(cpu[t] for t in native_tools)
    peer = wall.get("peer")
    hits = sum(1 for r in yara.values() if r)
    print()
    print(f"corpus     {info['corpus']}: " + (info.get("shape") or f"{len(sizes)} files, {mb:.1f} MB"))
    print(f"           {hits} files with YARA matches")
    print(f"rules      {info['rules']} ({info['ruleFiles']} files)")
    print(f"machine    {info['cores']} cores, {info['cpu']}; load average {info['load']}")
    print(f"uptime     {info['uptime']}")
    if runs > 1:
        print(f"runs       {runs}, each side in turn; every figure is the median of the {runs}")
    if info.get("warmUp"):
        print(f"service    one ./trawl serve per service side for the whole run, warmed up by full rescans of another "
              f"corpus (seconds: {info['warmUp'].strip()})")
    print(f"versions   yara {info['yara']}, ssdeep {info['ssdeep']}, {info['java']}, {info['python']}, "
          f"trawl {info['trawl']}")
    print()
    labels = {"yara": f"yara -p {info['cores']} -r", "ssdeep": "ssdeep -r",
              "trawl": "trawl rescan, every analyzer",
              "trawl-shared": "trawl, native tools' analyzers only",
              "trawl-injvm": "trawl, native code in the JVM",
              "trawl-service": "trawl rescan in a running service",
              "trawl-service-shared": "the same, native tools' analyzers",
              "peer": f"python peer (Strelka libs, {info['cores']} procs)"}
    print(f"{'side':<40} {'seconds':>8} {'MB/s':>7} {'cpu-s':>7} {'x native':>9} {'x peer':>7} {'cpu x nat':>9} "
          f"{'cpu x peer':>10}  job alone")
    for t in native_tools:
        print(f"{labels.get(t, t):<40} {wall[t]:>8.2f} {mb / wall[t]:>7.1f} {cpu[t]:>7.2f}")
    peer_cpu = cpu.get("peer")
    print(f"{'native total (sum, one after another)':<40} {native:>8.2f} {mb / native:>7.1f} {native_cpu:>7.2f} "
          f"{1:>9.2f} {(peer / native if peer else float('nan')):>7.2f} {1:>9.2f} "
          f"{(peer_cpu / native_cpu if peer_cpu else float('nan')):>10.2f}")
    for side in [s for s in sides if s not in NATIVE]:
        o = own(side)
        print(f"{labels.get(side, side):<40} {wall[side]:>8.2f} {mb / wall[side]:>7.1f} {cpu[side]:>7.2f} "
              f"{native / wall[side]:>9.2f} {(peer / wall[side] if peer else float('nan')):>7.2f} "
              f"{native_cpu / cpu[side]:>9.2f} {(peer_cpu / cpu[side] if peer_cpu else float('nan')):>10.2f}"
              + (f"  {o:.2f} s ({native / o:.2f}x native)" if o else ""))
    print()
    print("x native = native total / that side's seconds (above 1: faster than the native tools); "
          "x peer = the peer's seconds / that side's;")
    print("cpu x nat, cpu x peer: the same with CPU seconds (user + system, children included), steadier than wall "
          "seconds on a busy machine")
    print("issue 13 targets: every analyzer >= 1.0x native; native tools' analyzers only >= 1.5x; "
          ">= 3x the peer")
    for side, target in TARGETS.items():
        if side in wall:
            got = native / wall[side]
            print(f"  {side:<20} {got:.2f}x native  {'met' if got >= target else 'NOT met'} (target {target}x)")
    for side in ("trawl", "trawl-service"):
        if peer and side in wall:
            got = peer / wall[side]
            print(f"  {side:<20} {got:.2f}x the peer  {'met' if got >= 3 else 'NOT met'} (target 3x)")
    print()
    exit_on_mismatches(problems, p("mismatches.txt"))
    service = " (each as a command and in a running service)" if "trawl-service" in wall else ""
    print(f"correctness: all {len(sizes)} files match for Trawl (md5, sha1, size, ssdeep, TLSH, YARA), Trawl with the "
          f"native tools' analyzers (md5, sha1, size, ssdeep, YARA){service}"
          + (" and the peer (md5, sha1, size, ssdeep, TLSH, YARA)" if peer_docs is not None else ""))


if __name__ == "__main__":
    main()
