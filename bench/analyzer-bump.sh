#!/usr/bin/env bash
# A night after a new release bumped one analyzer's version (issue 14: a changed analyzer re-runs alone). Night 1 is
# a full rescan with this checkout; then, in interleaved rounds (incremental, full, incremental, full, ...), each from
# a copy of night 1's data folder, the BUMPED checkout (this one with one analyzer's version changed, built) rescans
# the same corpus incrementally and with --full. --unchanged adds this checkout's incremental rescan (nothing to run:
# the floor of the bumped night's cost); --before HOME, that checkout's incremental rescan (an earlier Trawl, with the
# same analyzer bumped). Each run under /usr/bin/time (wall; CPU s = user + system of the whole process tree).
# Prints medians, the load average, how many samples each analyzer computed and reused (the results' provenance),
# and checks that the incremental results equal the full ones but for provenance and ids (exit 1 if not).
#
#   bench/analyzer-bump.sh --corpus DIR --bumped TRAWL_HOME [--rules DIR] [--rounds 3] [--out DIR] [--unchanged]
#                          [--before TRAWL_HOME]
#
# The corpus is read, never written. Example (bench/README.md, "Session 13"):
#   git clone -q --shared -b "$(git branch --show-current)" . /tmp/trawl-bumped
#   sed -i 's/super("entropy", "1")/super("entropy", "2")/' \
#     /tmp/trawl-bumped/worker/src/main/java/io/trawl/worker/analysis/content/EntropyAnalyzer.java
#   ./trawl status && /tmp/trawl-bumped/trawl status   # builds both
#   bench/analyzer-bump.sh --corpus /tmp/trawl-bench-store/corpus-store-440mb-seed1 --bumped /tmp/trawl-bumped
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME_A="$(cd "$BENCH/.." && pwd)"
CORPUS="" BUMPED="" RULES="$BENCH/rules/light" ROUNDS=3 OUT="/tmp/trawl-bump-$(date +%Y%m%d-%H%M%S)"
VARIANTS=(incremental full)
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --bumped) BUMPED="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --unchanged) VARIANTS+=(unchanged); shift ;;
    --before) BEFORE="$2"; VARIANTS+=(before); shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "analyzer-bump: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -d "$CORPUS" ] || { echo "analyzer-bump: --corpus DIR is required" >&2; exit 2; }
[ -x "$BUMPED/trawl" ] || { echo "analyzer-bump: --bumped names no Trawl checkout" >&2; exit 2; }
mkdir -p "$OUT"
printf 'variant\tround\twall\tcpu\tload\tjob\n' > "$OUT/runs.tsv"

# run NAME HOME DATA [ARGS...]: one timed rescan; appends its row to runs.tsv
run() {
  local name="$1" home="$2" data="$3"; shift 3
  find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" /usr/bin/time -f '%e %U %S' -o "$OUT/$name.time" \
    "$home/trawl" rescan --source "$CORPUS" --rules "$RULES" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" \
    || { echo "analyzer-bump: $name failed; see $OUT/$name.err" >&2; exit 2; }
  local wall user sys job cpu
  read -r wall user sys < "$OUT/$name.time"
  cpu="$(python3 -c "print(round($user + $sys, 2))")"
  job="$(tail -1 "$OUT/$name.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["jobExecutionId"])')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${name%-*}" "${name##*-}" "$wall" "$cpu" "$load" "$job" >> "$OUT/runs.tsv"
  echo "analyzer-bump: $name: ${wall}s wall, $cpu CPU s, load $load, job $job" >&2
  TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" "$home/trawl" results --job "$job" --format jsonl > "$OUT/$name.jsonl"
}

run night1-1 "$HOME_A" "$OUT/data-night1" --full
for round in $(seq 1 "$ROUNDS"); do
  for variant in "${VARIANTS[@]}"; do
    rm -rf "$OUT/data"; cp -a "$OUT/data-night1" "$OUT/data"
    case "$variant" in
      full) run "full-$round" "$BUMPED" "$OUT/data" --full ;;
      incremental) run "incremental-$round" "$BUMPED" "$OUT/data" ;;
      unchanged) run "unchanged-$round" "$HOME_A" "$OUT/data" ;;
      before) run "before-$round" "$BEFORE" "$OUT/data" ;;
    esac
  done
done
rm -rf "$OUT/data"

python3 - "$OUT" <<'PY'
import collections, csv, json, os, statistics, sys
out = sys.argv[1]
runs = list(csv.DictReader(open(os.path.join(out, "runs.tsv")), delimiter="\t"))
print("variant\truns\twall s (median)\tCPU s (median)\tCPU s (each)\tload")
med = {}
for name in dict.fromkeys(r["variant"] for r in runs):
    rs = [r for r in runs if r["variant"] == name]
    cpu = [float(r["cpu"]) for r in rs]
    wall = [float(r["wall"]) for r in rs]
    med[name] = (statistics.median(wall), statistics.median(cpu))
    print(f"{name}\t{len(rs)}\t{med[name][0]:.2f}\t{med[name][1]:.2f}\t{', '.join(map(str, cpu))}\t"
          f"{min(float(r['load']) for r in rs):.1f}-{max(float(r['load']) for r in rs):.1f}")
if "full" in med and "incremental" in med:
    print(f"incremental vs --full of the same state: {med['full'][1] / med['incremental'][1]:.2f}x CPU, "
          f"{med['full'][0] / med['incremental'][0]:.2f}x wall")

def rows(name):
    with open(os.path.join(out, name + ".jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]

def runs_per_analyzer(name, job):
    counts = collections.defaultdict(lambda: [0, 0])
    for row in rows(name):
        for analyzer, by in (row.get("provenance") or {}).items():
            counts[analyzer][str(by) != str(job) and by != row.get("jobInstanceId")] += 1
    return ", ".join(f"{a} {c}/{r}" for a, (c, r) in counts.items())

def comparable(name):
    # a content met at several depths (a file and an archive member, say) has one result per job, whose depth is
    # that of the occurrence analysed first: it differs between two full rescans as well (ComparableResults)
    def kept(row):
        several = len(row.get("sources") or ()) > 1 and any("!/" in s for s in row["sources"])
        drop = {"provenance", "jobExecutionId", "jobInstanceId", "analysedAt"} | ({"depth"} if several else set())
        return {k: v for k, v in row.items() if k not in drop}
    return sorted(json.dumps(kept(row), sort_keys=True) for row in rows(name))

first = {r["variant"]: r for r in runs if r["round"] == "1"}
for name in [v for v in ("incremental", "full", "unchanged", "before") if v in first]:
    print(f"analyzer runs computed/reused, {name} round 1: {runs_per_analyzer(name + '-1', first[name]['job'])}")
same = comparable("incremental-1") == comparable("full-1")
print(f"incremental round 1 equals full round 1 but for provenance, ids and the depth of contents at several "
      f"depths: {same} ({len(rows('full-1'))} results)")
sys.exit(0 if same else 1)
PY
