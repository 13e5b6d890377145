#!/usr/bin/env python3
"""The table of bench/scale-out.sh, from its run folder; exits 1 when a cluster job did not check out.

    scale_report.py RUN_DIR THREADS GRID_SIZE

Reads RUN/times.tsv and RUN/embedded-r*.out (the embedded rescans: /usr/bin/time, and the summary's last line),
RUN/cluster.tsv and, for each cluster job NAME, NAME.json (its status from the manager's API at the end) and
NAME.cpu-before / NAME.cpu-after (tree_cpu.py). A cluster job's seconds are its job execution's start to end (the
analyse step, the manager's partition polling and the projection); its CPU is what each process tree used between
the launch and the end. The embedded rescan's CPU is the whole command's (JVM start-up and rule compilation
included, about 3 CPU s); its seconds are the summary's (the job alone). Medians over the rounds.
"""
import json
import statistics
import sys
from datetime import datetime
from pathlib import Path


def seconds(start, end):
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def cpu(path):
    return {name: float(value) for name, value in (line.split("\t") for line in path.read_text().split("\n") if line)}


def main(run, threads, grid):
    run = Path(run)
    megabytes = sum(int(line.split("\t")[0]) for line in (run / "sizes.tsv").read_text().splitlines()) / 1e6
    sides = {}
    problems = []
    for line in (run / "times.tsv").read_text().splitlines():
        name, wall, cpu_s = line.split("\t")
        if not name.startswith("embedded-"):
            continue
        summary = json.loads((run / f"{name}.out").read_text().strip().splitlines()[-1])
        sides.setdefault("embedded", []).append({
            "samples": summary["samples"], "job": summary["seconds"], "wall": float(wall), "cpu": float(cpu_s),
            "workers_cpu": None, "manager_cpu": None, "emulators_cpu": None, "per_worker": [], "jit": None,
            "analyse": None})
        if summary["status"] != "COMPLETED":
            problems.append(f"{name} ended {summary['status']}")
    embedded_samples = {r["samples"] for r in sides.get("embedded", [])}
    for line in (run / "cluster.tsv").read_text().splitlines():
        name, _round, workers, prefix = line.split("\t")
        status = json.loads(Path(prefix + ".json").read_text())
        before, after = cpu(Path(prefix + ".cpu-before")), cpu(Path(prefix + ".cpu-after"))
        used = {k: after[k] - before.get(k, 0.0) for k in after}
        per_worker = [used[k] for k in sorted(used) if k.startswith("worker") and "/" not in k]
        jit = (sum(v for k, v in used.items() if k.endswith("/jit") and not k.startswith("emulators"))
               if any("/" in k for k in used) else None)  # the JIT compilers of Trawl's JVMs, not the emulators
        steps = {s["name"]: s for s in status.get("steps", [])}
        project = steps.get("projectStep")
        analyse = steps.get("analyseStep")
        sides.setdefault(f"{workers} worker{'s' if workers != '1' else ''}", []).append({
            "samples": status["samples"], "job": seconds(status["startTime"], status["endTime"]), "wall": None,
            "cpu": used["manager"] + sum(per_worker), "workers_cpu": sum(per_worker), "manager_cpu": used["manager"],
            "emulators_cpu": used["emulators"], "per_worker": per_worker, "jit": jit,
            "analyse": seconds(analyse["startTime"], analyse["endTime"]) if analyse and analyse["endTime"] else None,
            "project": seconds(project["startTime"], project["endTime"]) if project and project["endTime"] else None})
        if status["status"] != "COMPLETED":
            problems.append(f"{name} ended {status['status']}: {status.get('exitDescription')}")
        if status["resultEvents"] != status["samples"]:
            problems.append(f"{name}: {status['resultEvents']} result events for {status['samples']} samples")
        if embedded_samples and status["samples"] not in embedded_samples:
            problems.append(f"{name}: {status['samples']} samples, the embedded rescan {sorted(embedded_samples)}")

    med = lambda rows, key: statistics.median(r[key] for r in rows) if rows and rows[0][key] is not None else None
    base = sides.get("1 worker")
    base_rate = med(base, "samples") / med(base, "job") if base else None
    base_analyse = med(base, "analyse") if base else None
    header = ["side", "runs", "samples", "job s", "samples/s", "MB/s", "vs 1 worker", "analyse s", "analyse vs 1",
              "project s", "CPU s (Trawl)", "workers CPU s", "each worker", "JIT CPU s", "manager CPU s",
              "emulators CPU s", "worker CPU ms/sample"]
    rows = []
    for side, runs in sides.items():
        samples, job = med(runs, "samples"), med(runs, "job")
        rate = samples / job
        each = [statistics.median(r["per_worker"][i] for r in runs) for i in range(len(runs[0]["per_worker"]))]
        workers_cpu = med(runs, "workers_cpu")
        project = [r["project"] for r in runs if r.get("project") is not None]
        fmt = lambda v, f="{:.2f}": "-" if v is None else f.format(v)
        analyse = med(runs, "analyse")
        rows.append([side, str(len(runs)), f"{samples:,}", fmt(job), fmt(rate, "{:.1f}"), fmt(megabytes / job),
                     fmt(rate / base_rate if base_rate else None, "{:.2f}x"), fmt(analyse),
                     fmt(base_analyse / analyse if analyse and base_analyse else None, "{:.2f}x"),
                     fmt(statistics.median(project) if project else None),
                     fmt(med(runs, "cpu")) + (" (whole command)" if side == "embedded" else ""), fmt(workers_cpu),
                     " / ".join(f"{v:.2f}" for v in each) or "-", fmt(med(runs, "jit")), fmt(med(runs, "manager_cpu")),
                     fmt(med(runs, "emulators_cpu")),
                     fmt(1000 * workers_cpu / samples if workers_cpu else 1000 * med(runs, "cpu") / samples)])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    load = [(run / f).read_text().strip() for f in ("uptime-before", "uptime-after") if (run / f).exists()]
    print(f"scale-out: {megabytes:.1f} MB, worker threads {threads}, grid size {grid}, medians of the rounds")
    print(line(header))
    print("|-" + "-|-".join("-" * w for w in widths) + "-|")
    for r in rows:
        print(line(r))
    print("load: " + " / ".join(load))
    print("The embedded row's CPU is the whole ./trawl rescan (start-up included); its last column divides it by the "
          "samples. A cluster row's CPU is what the manager and the workers spent between launch and end; the "
          "emulators stand in for S3, SQS and DynamoDB.")
    for p in problems:
        print(f"CHECK FAILED: {p}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
