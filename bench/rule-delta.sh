#!/usr/bin/env bash
# The YARA part of a rescan after two rules changed and one was added: the whole new ruleset against the delta
# ruleset (worker's yara/delta), through Trawl's libyara on one thread, in one run; checks file by file that the
# previous matches merged with the delta's equal the whole new ruleset's.
# Each step is its own JVM under /usr/bin/time (user+sys, start-up included); each also prints its thread's CPU
# by phase.
# Usage: bench/rule-delta.sh --corpus DIR [--rules DIR (default ../shared/rules/reversinglabs)] [--work DIR] [--repeat 3]
#        bench/rule-delta.sh --nights --corpus DIR --base TRAWL_HOME [--rules DIR] [--rounds 3] [--out DIR]
#          whole cold night-2 rescans (rules changed, files not) of a base and this Trawl, interleaved: the delta
#          scan with its rule gate (bench/lib/gate_nights.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--nights" ]; then
  shift
  exec bench/lib/gate_nights.sh "$@"
fi
corpus="" rules="../shared/rules/reversinglabs" work="/tmp/trawl-bench-rule-delta" repeat=3
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus="$2"; shift 2 ;;
    --rules) rules="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "Unknown option $1. Usage: bench/rule-delta.sh --corpus DIR [--rules DIR] [--work DIR] [--repeat N]" >&2; exit 2 ;;
  esac
done
[ -d "$corpus" ] || { echo "The corpus folder '$corpus' does not exist; give one with --corpus." >&2; exit 2; }
[ -d "$rules" ] || { echo "The rules folder '$rules' does not exist; give one with --rules." >&2; exit 2; }
./mvnw -B -q -pl worker test-compile
cp_file=worker/target/bench-classpath.txt
./mvnw -B -q -pl worker dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
bench=(java -Xmx1g --enable-native-access=ALL-UNNAMED
  -cp "worker/target/test-classes:worker/target/classes:$(cat "$cp_file")" io.trawl.worker.bench.RuleDeltaBench)
rm -rf "$work"; mkdir -p "$work"
"${bench[@]}" prepare "$corpus" "$rules" "$work"
"${bench[@]}" check "$corpus" "$work"
echo "load before: $(uptime)"
for i in $(seq "$repeat"); do
  for step in full delta; do
    /usr/bin/time -f "$step %e %U %S" -a -o "$work/times" "${bench[@]}" "$step" "$corpus" "$work" | tee -a "$work/steps"
  done
done
echo "load after: $(uptime)"
python3 - "$work/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
cpu = {step: sorted(float(u) + float(s) for name, _, u, s in rows if name == step) for step in ("full", "delta")}
for step, values in cpu.items():
    print(f"{step}: CPU s (user+sys) {' '.join(f'{v:.2f}' for v in values)}; median {statistics.median(values):.2f}")
print(f"full / delta, medians of CPU s: {statistics.median(cpu['full']) / statistics.median(cpu['delta']):.2f}x")
PY
