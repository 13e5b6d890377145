#!/usr/bin/env python3
"""The report of bench/incremental.sh: incremental_report.py RUN_DIR

Prints the medians of each side's wall and CPU seconds (RUN/times.tsv), issue 14's three ratios with PASS or MISS
(judged on CPU seconds: the machine is shared), and two checks, each a list of differences:
  diff     `./trawl diff NIGHT1 NIGHT2` (RUN/diff.jsonl; without it, the same diff read from both nights' results)
           against what sha256sum and yara -r say of both states (RUN/state1.*, RUN/state2.*): the same new, gone and
           changed contents, the same rules gained and lost, nothing else;
  results  the incremental night 2 against the full night 2: the same samples, verdicts and YARA rules.
Exits 1 when a check finds a difference.
"""
import json
import os
import statistics
import sys

TARGETS = (  # (what, baseline sides, measured side, target)
    ("night 2 incremental vs a full rescan of the same state", ("night2-full",), "night2-incremental", 5),
    ("night 2 incremental vs yara -r -p plus hashing the new files",
     ("yara", "sha256sum", "md5sum", "sha1sum", "ssdeep"), "night2-incremental", 3),
    ("night 3 (nothing changed) vs night 2's full rescan", ("night2-full",), "night3-incremental", 20),
)
# the same nights in one running ./trawl serve (incremental.sh --service), beside the cold commands'
SERVICE_TARGETS = (
    ("night 2 incremental vs a full rescan of the same state, both in the service", ("service-night2-full",),
     "service-night2-incremental", 5),
    ("night 2 incremental in the service vs yara -r -p plus hashing the new files",
     ("yara", "sha256sum", "md5sum", "sha1sum", "ssdeep"), "service-night2-incremental", 3),
    ("night 3 (nothing changed) vs night 2's full rescan, both in the service", ("service-night2-full",),
     "service-night3-incremental", 20),
)
SHOWN = 12  # differences listed per check


def medians(run):
    rows = {}
    with open(os.path.join(run, "times.tsv")) as f:
        for line in f:
            name, wall, cpu = line.rstrip("\n").split("\t")
            rows.setdefault(name, []).append((float(wall), float(cpu)))
    return {name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v), len(v))
            for name, v in rows.items()}


def rule_name(token):
    return token.rsplit(":", 1)[-1]  # yara -e prints namespace:rule; Trawl lists rules by name


def cli_state(run, state):
    """{sha256: set of rule names} of one state, from sha256sum and yara -r over its files and archive layers."""
    by_path, hits = {}, {}
    with open(os.path.join(run, state + ".sha256"), encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            digest, path = line.rstrip("\n").lstrip("\\").split("  ", 1)
            by_path[path] = digest
            hits.setdefault(digest, set())
    with open(os.path.join(run, state + ".yara"), encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            rule, path = line.rstrip("\n").split(" ", 1)
            if path not in by_path:
                sys.exit(f"yara named {path!r}, which sha256sum did not hash: the check cannot go on")
            hits[by_path[path]].add(rule_name(rule))
    return hits


def cli_diff(before, after):
    """{sha256: (change, gained, lost)} from two states' {sha256: rules}."""
    out = {}
    for digest in before.keys() | after.keys():
        was, now = before.get(digest), after.get(digest)
        if was is None:
            out[digest] = ("new", now, set())
        elif now is None:
            out[digest] = ("gone", set(), was)
        elif was != now:
            out[digest] = ("changed", now - was, was - now)
    return out


def provenance(run, name):
    """Per analyzer, how many of a job's samples it computed and how many it reused from an earlier job."""
    counts = {}
    with open(os.path.join(run, f"results-{name}.jsonl")) as f:
        for line in f:
            row = json.loads(line)
            for analyzer, job in (row.get("provenance") or {}).items():
                counts.setdefault(analyzer, [0, 0])[job != row["jobExecutionId"]] += 1
    return ", ".join(f"{a} {c}/{r}" for a, (c, r) in counts.items()) or "none recorded"


def results(run, name):
    """{sha256: (verdict, rules)} of a job's results."""
    out = {}
    with open(os.path.join(run, f"results-{name}.jsonl")) as f:
        for line in f:
            row = json.loads(line)
            out[row["sha256"]] = (row.get("verdict"), frozenset(row.get("yara") or ()))
    return out


def trawl_diff(run, name="diff.jsonl"):
    """{sha256: (change, gained, lost)} and the counts line of ./trawl diff, or both from the two nights' results."""
    path = os.path.join(run, name)
    if not os.path.exists(path):
        before, after = results(run, "night1"), results(run, "night2")
        changes = cli_diff({d: set(r) for d, (_, r) in before.items()}, {d: set(r) for d, (_, r) in after.items()})
        changes.update({d: ("changed", set(), set()) for d in before.keys() & after.keys()
                        if d not in changes and before[d][0] != after[d][0]})
        return changes, None, "read from both nights' results (this Trawl has no diff command)"
    changes = {}
    with open(path) as f:
        counts = json.loads(next(f))
        for line in f:
            row = json.loads(line)
            key = row.get("sha256") or row.get("sampleKey")
            changes[key] = (row["change"], set(row.get("rulesGained") or ()), set(row.get("rulesLost") or ()))
    return changes, counts, "./trawl diff --format jsonl"


def compare_diff(cli, trawl):
    problems = []
    for digest in sorted(cli.keys() | trawl.keys()):
        want, got = cli.get(digest), trawl.get(digest)
        if want is None:
            problems.append(f"{digest}: Trawl says {got[0]}, the CLIs see no change")
        elif got is None:
            problems.append(f"{digest}: the CLIs say {want[0]} (gained {sorted(want[1])}, lost {sorted(want[2])}), "
                            "Trawl lists nothing")
        elif want != got:
            problems.append(f"{digest}: the CLIs say {want[0]} +{sorted(want[1])} -{sorted(want[2])}, "
                            f"Trawl {got[0]} +{sorted(got[1])} -{sorted(got[2])}")
    return problems


def compare_counts(cli, counts, unchanged):
    if counts is None:
        return []
    want = {"new": sum(c == "new" for c, _, _ in cli.values()), "gone": sum(c == "gone" for c, _, _ in cli.values()),
            "changed": sum(c == "changed" for c, _, _ in cli.values()), "unchanged": unchanged}
    got = {"new": counts.get("new", counts.get("added")), "gone": counts.get("gone"),
           "changed": counts.get("changed"), "unchanged": counts.get("unchanged")}
    return [] if got == want else [f"the counts line says {got}, the CLIs {want}"]


def compare_results(incremental, full):
    problems = [f"{d}: only in the {side} night 2" for side, mine, other in
                (("incremental", incremental, full), ("full", full, incremental)) for d in sorted(mine.keys() - other.keys())]
    problems += [f"{d}: incremental {incremental[d][0]} {sorted(incremental[d][1])}, full {full[d][0]} {sorted(full[d][1])}"
                 for d in sorted(incremental.keys() & full.keys()) if incremental[d] != full[d]]
    return problems


def show(title, problems):
    print(f"{title}: {'OK' if not problems else f'{len(problems)} difference(s)'}")
    for line in problems[:SHOWN]:
        print("  " + line)
    if len(problems) > SHOWN:
        print(f"  ... and {len(problems) - SHOWN} more")


def main():
    run = sys.argv[1]
    with open(os.path.join(run, "info.tsv")) as f:
        for line in f:
            key, value = line.rstrip("\n").split("\t", 1)
            print(f"{key:<10} {value}")
    times = medians(run)
    print(f"\n{'side':<28} {'wall s':>8} {'CPU s':>8}  (medians of {max(n for _, _, n in times.values())})")
    for name, (wall, cpu, _) in times.items():
        print(f"{name:<28} {wall:>8.2f} {cpu:>8.2f}")
    service = "service-night2-incremental" in times
    print("\nratios (baseline / measured; PASS or MISS on CPU seconds, the wall ratio beside)")
    for title, targets in (("the nightly schedule's: one running ./trawl serve, each night launched over its API",
                            SERVICE_TARGETS if service else ()),
                           ("cold ./trawl rescan commands (a manual rescan: each pays the JVM's start and warm-up)",
                            TARGETS)):
        if targets:
            print(f" {title}")
        for what, base, side, target in targets:
            base_wall, base_cpu = (sum(times[b][i] for b in base) for i in (0, 1))
            cpu, wall = base_cpu / max(times[side][1], 0.01), base_wall / max(times[side][0], 0.01)
            print(f"  {what:<78} {cpu:>7.2f}x CPU {wall:>7.2f}x wall  target {target}x  "
                  f"{'PASS' if cpu >= target else 'MISS'}")

    print("\nsamples each analyzer computed/reused (the results' provenance)")
    for night in ("night2", "night3") + (("service-night2", "service-night3") if service else ()):
        print(f"  {night} incremental: {provenance(run, night)}")
    before, after = cli_state(run, "state1"), cli_state(run, "state2")
    cli = cli_diff(before, after)
    trawl, counts, source = trawl_diff(run)
    unchanged = len(before.keys() & after.keys()) - sum(c == "changed" for c, _, _ in cli.values())
    print(f"\nthe CLIs: {sum(c == 'new' for c, _, _ in cli.values())} new, {sum(c == 'gone' for c, _, _ in cli.values())} "
          f"gone, {sum(c == 'changed' for c, _, _ in cli.values())} changed, {unchanged} unchanged contents")
    problems = compare_counts(cli, counts, unchanged) + compare_diff(cli, trawl)
    show(f"diff check, {source}", problems)
    result_problems = compare_results(results(run, "night2"), results(run, "night2-full"))
    show("results check, incremental night 2 = full night 2 (sha256, verdict, YARA rules)", result_problems)
    if service:
        service_trawl, service_counts, _ = trawl_diff(run, "diff-service.jsonl")
        service_diff = compare_counts(cli, service_counts, unchanged) + compare_diff(cli, service_trawl)
        show("service diff check, ./trawl diff of the service's nights 1 and 2", service_diff)
        service_results = compare_results(results(run, "service-night2"), results(run, "service-night2-full"))
        service_results += compare_results(results(run, "service-night2"), results(run, "night2-full"))
        show("service results check, incremental night 2 = full night 2 in the service = the cold full night 2",
             service_results)
        problems += service_diff + service_results
    sys.exit(1 if problems or result_problems else 0)


if __name__ == "__main__":
    main()
