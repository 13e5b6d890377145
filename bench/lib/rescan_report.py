#!/usr/bin/env python3
"""Compares a Trawl rescan with the native tools' output, and prints the throughput table.

    rescan_report.py WORK_DIR

WORK_DIR holds what rescan-vs-native.sh wrote: md5/sha1/sha256/ssdeep/yara output, times.tsv (a row per tool and
run), sizes.tsv, summary-N.json (Trawl's last stdout line of run N), results.jsonl (./trawl results, last run) and
info.tsv. With several runs, each figure is the median over them. Exits 1 on any mismatch.
"""
import json
import os
import statistics
import sys

MAX_SHOWN = 20


def read_sums(path):
    """path -> hex digest, from md5sum/sha1sum/sha256sum output."""
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            digest, name = line.rstrip("\n").split(None, 1)
            out[name.lstrip("*")] = digest
    return out


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def read_ssdeep(path):
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("ssdeep,"):
                continue
            digest, name = line.split(",", 1)
            out[name.strip('"')] = digest
    return out


def read_yara(path, files):
    """path -> set of namespace:rule, from `yara -e` output ("namespace:rule path")."""
    out = {name: set() for name in files}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            rule, name = line.split(" ", 1)
            out.setdefault(name, set()).add(rule)
    return out


def exit_on_mismatches(problems, path):
    """Prints the first mismatches, writes them all to path and exits 1; returns when there are none."""
    if not problems:
        return
    print(f"MISMATCHES: {len(problems)}")
    for problem in problems[:MAX_SHOWN]:
        print("  " + problem)
    if len(problems) > MAX_SHOWN:
        print(f"  ... and {len(problems) - MAX_SHOWN} more (all in {path})")
    with open(path, "w") as f:
        f.write("\n".join(problems) + "\n")
    sys.exit(1)


def main():
    work = sys.argv[1]
    p = lambda name: os.path.join(work, name)
    info = dict(read_tsv(p("info.tsv")))
    sizes = {name: int(size) for size, name in read_tsv(p("sizes.tsv"))}
    md5, sha1, sha256 = read_sums(p("md5.txt")), read_sums(p("sha1.txt")), read_sums(p("sha256.txt"))
    full = info.get("set", "full") == "full"
    ssdeep = read_ssdeep(p("ssdeep.txt")) if full else {}
    yara = read_yara(p("yara.txt"), sizes)
    with open(p("summary.json")) as f:
        summary = json.loads(f.read())
    docs = {}
    with open(p("results.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                if doc.get("sha256"):
                    docs[doc["sha256"]] = doc

    problems = []
    for name, size in sorted(sizes.items()):
        digest = sha256.get(name)
        doc = docs.get(digest)
        if digest is None:
            problems.append(f"{name}: sha256sum printed nothing for it")
            continue
        if doc is None:
            problems.append(f"{name}: sha256 {digest} is not in the results")
            continue
        checks = [("md5", md5.get(name)), ("sha1", sha1.get(name)), ("size", size)]
        if full:
            checks.append(("ssdeep", ssdeep.get(name)))
        for field, want in checks:
            if doc.get(field) != want:
                problems.append(f"{name}: {field} is {doc.get(field)!r} in Trawl, {want!r} natively")
        if doc.get("errors"):
            problems.append(f"{name}: analyzer errors {doc['errors']}")
        got = {f"{m['namespace']}:{m['rule']}" for m in doc.get("yaraMatches", [])}
        if got != yara.get(name, set()):
            only_trawl = sorted(got - yara.get(name, set()))
            only_yara = sorted(yara.get(name, set()) - got)
            problems.append(f"{name}: YARA differs; only Trawl {only_trawl}, only yara {only_yara}")
    if summary.get("status") != "COMPLETED":
        problems.append(f"the rescan ended {summary.get('status')}")
    if summary.get("files") != len(sizes):
        problems.append(f"the rescan counted {summary.get('files')} files; the corpus has {len(sizes)}")

    total_bytes = sum(sizes.values())
    mb = total_bytes / 1e6
    rows = read_tsv(p("times.tsv"))
    times = {name: statistics.median(float(r[1]) for r in rows if r[0] == name) for name in {r[0] for r in rows}}
    cpu = {name: statistics.median(float(r[2]) for r in rows if r[0] == name) for name in {r[0] for r in rows}}
    runs = int(info.get("repeat", "1"))
    native_tools = [t for t in ["yara", "ssdeep", "md5sum", "sha1sum", "sha256sum"] if t in times]
    native = sum(times[t] for t in native_tools)
    end_to_end = times["trawl"]
    own = statistics.median(float(json.load(open(p(f"summary-{i}.json")))["seconds"]) for i in range(1, runs + 1))
    hits = sum(1 for rules in yara.values() if rules)

    print()
    print(f"corpus     {info['corpus']}: {len(sizes)} files, {mb:.1f} MB ({total_bytes} bytes); "
          f"{hits} files with YARA matches")
    print(f"rules      {info['rules']} ({info['ruleFiles']} files)")
    print(f"machine    {info['cores']} cores, {info['cpu']}; load average {info['load']}")
    if runs > 1:
        print(f"runs       {runs}, alternating native tools and Trawl; every figure is the median of the {runs}")
    print(f"versions   yara {info['yara']}, ssdeep {info['ssdeep']}, coreutils {info['coreutils']}, "
          f"{info['java']}, trawl {info['trawl']}")
    print()
    native_cpu = sum(cpu[t] for t in native_tools)
    print(f"{'tool':<34} {'seconds':>9} {'MB/s':>9} {'cpu-s':>9}")
    for tool in native_tools:
        label = {"yara": f"yara -p {info['cores']} -r", "ssdeep": "ssdeep -r"}.get(tool, tool)
        print(f"{label:<34} {times[tool]:>9.2f} {mb / times[tool]:>9.1f} {cpu[tool]:>9.2f}")
    print(f"{'native total (sum, sequential)':<34} {native:>9.2f} {mb / native:>9.1f} {native_cpu:>9.2f}")
    print(f"{'trawl rescan, end to end':<34} {end_to_end:>9.2f} {mb / end_to_end:>9.1f} {cpu['trawl']:>9.2f}")
    print(f"{'trawl rescan, its own seconds':<34} {own:>9.2f} {mb / own:>9.1f}")
    print()
    target = "1.2x (issue 3, every analyzer)" if full else "1.0x (issue 2: hashes, MIME, entropy, YARA)"
    print(f"analysis   {'every analyzer' if full else 'hashes, MIME, entropy and YARA only (--set skeleton)'}")
    print(f"ratio Trawl/native, end to end: {native / end_to_end:.2f}x   "
          f"(Trawl's own seconds: {native / own:.2f}x; target {target})")
    extra = "sha512, TLSH, strings, entropy, file type, PE/ELF and archives" if full else "sha512, MIME and entropy"
    print(f"CPU seconds Trawl/native: {cpu['trawl'] / native_cpu:.2f} (Trawl also computes {extra}, starts a JVM "
          "and stores every result; it uses every core, the native hash tools one)")
    print()
    exit_on_mismatches(problems, p("mismatches.txt"))
    print(f"correctness: all {len(sizes)} files match (sha256 present; md5, sha1, size{', ssdeep' if full else ''} equal; "
          "YARA namespace:rule sets equal)")


if __name__ == "__main__":
    main()
