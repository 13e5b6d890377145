#!/usr/bin/env bash
# Times ./trawl project --rebuild on the embedded default (H2) after N rescans of one corpus, in one run: the
# rescans themselves, the JVM's start-up alone (./trawl status --json, the baseline) and the rebuilds, each under
# /usr/bin/time; and, from the job repository, the rescans' own projectStep against the rebuild's projectJobsStep.
# Checks that every job's results are the same before and after the rebuilds. See bench/README.md.
#
#   bench/project-rebuild.sh --corpus DIR [--jobs 3] [--rules PATH] [--repeat 3] [--work /tmp/trawl-bench-rebuild]
#
# --rules defaults to bench/rules/light. Exits 1 when a job's results differ after a rebuild.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=440
SEED=1
JOBS=3
WORK=/tmp/trawl-bench-rebuild
RULES="$BENCH/rules/light"
REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "project-rebuild: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -e "$RULES" ] || { echo "project-rebuild: no rules at $RULES" >&2; exit 2; }
CORPUS_NAME="corpus-store-${SIZE_MB}mb-seed$SEED"
prepare_run project-rebuild make_store_corpus.py
export TRAWL_DATA_DIR="$RUN/data"

timed() { # timed NAME OUTFILE command...: wall and CPU (user + system, children included) seconds into times.tsv
  local name="$1" out="$2"; shift 2
  /usr/bin/time -f '%e %U %S' -o "$RUN/$name.time" "$@" > "$out" 2>"$RUN/$name.err" || {
    echo "project-rebuild: $name failed:" >&2; tail -5 "$RUN/$name.err" >&2; exit 2; }
  read -r wall user sys < "$RUN/$name.time"
  printf '%s\t%s\t%s\n' "${name%-*}" "$wall" "$(python3 -c "print(round($user + $sys, 2))")" >> "$RUN/times.tsv"
  echo "project-rebuild: $name ${wall}s wall" >&2
}
results() { # every job's results, sorted, into one file
  : > "$1"
  for id in $(jq -r '.jobExecutionId' "$RUN"/rescan-*.out); do
    "$TRAWL_HOME/trawl" results --job "$id" | sort >> "$1"
  done
}

"$TRAWL_HOME/trawl" status >/dev/null 2>"$RUN/build.log" || {
  echo "project-rebuild: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }
for job in $(seq "$JOBS"); do
  timed "rescan-$job" "$RUN/rescan-$job.out.full" "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES"
  tail -1 "$RUN/rescan-$job.out.full" > "$RUN/rescan-$job.out"
done
results "$RUN/results-before.jsonl"
for rep in $(seq "$REPEAT"); do
  timed "startup-$rep" /dev/null "$TRAWL_HOME/trawl" status --json
  timed "rebuild-$rep" "$RUN/rebuild-$rep.out" "$TRAWL_HOME/trawl" project --rebuild
done
results "$RUN/results-after.jsonl"
if ! cmp -s "$RUN/results-before.jsonl" "$RUN/results-after.jsonl"; then
  echo "project-rebuild: the results differ after the rebuilds ($RUN/results-*.jsonl)" >&2
  exit 1
fi
for out in "$RUN"/rescan-*.out "$RUN"/rebuild-*.out; do # each job's steps, for the step times
  "$TRAWL_HOME/trawl" status "$(jq -r .jobExecutionId "$out")" --json > "${out%.out}.status.json"
done
python3 - "$RUN" "$JOBS" <<'PY'
import json, statistics, sys
run, jobs = sys.argv[1], int(sys.argv[2])
times = {}
for line in open(f"{run}/times.tsv"):
    name, wall, cpu = line.split("\t")
    times.setdefault(name, []).append((float(wall), float(cpu)))
median = lambda name, i: statistics.median(t[i] for t in times[name])
reports = [json.loads(open(f"{run}/rebuild-{r + 1}.out").read().strip().splitlines()[-1])
           for r in range(len(times["rebuild"]))]
samples, events = reports[0]["samples"], reports[0]["events"]
rebuild_cpu, startup_cpu, rescan_cpu = median("rebuild", 1), median("startup", 1), median("rescan", 1)
own = statistics.median(r["seconds"] for r in reports)
print(f"rebuild of {reports[0]['jobs']} jobs, {samples} samples, {events} events; results identical before and after")
print(f"rescan (each):  {median('rescan', 0):8.2f} s wall {rescan_cpu:8.2f} CPU s")
print(f"start-up alone: {median('startup', 0):8.2f} s wall {startup_cpu:8.2f} CPU s  (./trawl status --json)")
print(f"rebuild:        {median('rebuild', 0):8.2f} s wall {rebuild_cpu:8.2f} CPU s  (job alone {own:.2f} s wall)")
print(f"samples/s: {samples / own:.0f} (job alone, wall)  {samples / max(rebuild_cpu - startup_cpu, 0.01):.0f} "
      f"(per CPU s beyond start-up)")
def step_seconds(status, name):
    from datetime import datetime
    step = next(s for s in json.load(open(status))["steps"] if s["name"] == name)
    return (datetime.fromisoformat(step["endTime"]) - datetime.fromisoformat(step["startTime"])).total_seconds()
own_steps = sum(step_seconds(f"{run}/rescan-{j + 1}.status.json", "projectStep") for j in range(jobs))
rebuild_steps = statistics.median(step_seconds(f"{run}/rebuild-{r + 1}.status.json", "projectJobsStep")
                                  for r in range(len(reports)))
print(f"the rescans' own projectSteps: {own_steps:.2f} s wall in all; the rebuild's projectJobsStep: "
      f"{rebuild_steps:.2f} s wall ({rebuild_steps / own_steps:.2f}x)")
print(f"rebuild CPU / the {jobs} rescans' CPU: {rebuild_cpu / (jobs * rescan_cpu):.3f}  "
      f"(beyond start-up: {(rebuild_cpu - startup_cpu) / (jobs * (rescan_cpu - startup_cpu)):.3f})")
PY
