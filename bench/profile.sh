#!/usr/bin/env bash
# Profiles one Trawl rescan of the store-shaped corpus with JFR and prints where the CPU goes: CPU seconds per part
# (each analyzer, start-up, rule compilation, native host round trips, event writes, projection, reading, JIT, GC),
# per GB and per 1,000 samples. See bench/README.md ("Where the time goes").
#
#   bench/profile.sh [--size-mb 440 | --corpus DIR] [--seed 1] [--rules PATH | --reversinglabs]
#                    [--work /tmp/trawl-bench-store] [--modes hosts,injvm]
#
# Modes: hosts (the default configuration: libyara and libfuzzy in native host processes, whose CPU is measured
# from /proc: they are killed at the end, so a JFR recording in them would be lost) and injvm
# (TRAWL_ISOLATE_NATIVE_CODE=false: everything in the rescan's JVM). The recordings use JDK 25's
# CPU-time sampler (jdk.CPUTimeSample), which sees native code as well; the launcher runs the rescan on a JDK 25+
# when it finds one. JFR costs a little itself (about 0.3 s of start-up and a few % of CPU): compare
# bench/store-shape.sh's timings, not these, with other tools.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=440
SEED=1
WORK=/tmp/trawl-bench-store
RULES="$BENCH/rules/light"
MODES=hosts,injvm
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --reversinglabs) RULES="$HEAVY_RULES"; shift ;;
    --work) WORK="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "profile: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v jfr >/dev/null || { echo "profile: jfr (the JDK's tool) is missing from PATH" >&2; exit 2; }
RULES="$(cd "$(dirname "$RULES")" && pwd)/$(basename "$RULES")"
mkdir -p "$WORK"
if [ -z "$CORPUS" ]; then
  CORPUS="$WORK/corpus-store-${SIZE_MB}mb-seed$SEED"
  python3 "$BENCH/lib/make_store_corpus.py" "$CORPUS" --size-mb "$SIZE_MB" --seed "$SEED"
fi
CORPUS="$(cd "$CORPUS" && pwd)"
OUT="$WORK/profile-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
echo "profile: corpus $CORPUS, rules $RULES, output in $OUT" >&2
TRAWL_DATA_DIR="$OUT/build-data" "$TRAWL_HOME/trawl" status >/dev/null 2>"$OUT/build.log" || {
  echo "profile: ./trawl did not start; see $OUT/build.log" >&2; exit 2; }

# one sample per 10 ms of a thread's CPU; JFR's start-up message off
jfr_opts() { echo "-XX:FlightRecorderOptions:stackdepth=256 -XX:StartFlightRecording=filename=$1,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=10ms -Xlog:jfr+startup=off"; }
{
  printf 'corpus\t%s\n' "$CORPUS"
  printf 'files\t%s\n' "$(find "$CORPUS" -type f | wc -l)"
  printf 'bytes\t%s\n' "$(find "$CORPUS" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')"
  printf 'rules\t%s\n' "$RULES"
} > "$OUT/info.tsv"
UPTIME_BEFORE="$(uptime)"
for mode in ${MODES//,/ }; do
  D="$OUT/$mode"
  mkdir -p "$D"
  case "$mode" in
    hosts) EXTRA=(TRAWL_ISOLATE_NATIVE_CODE=true) ;;
    injvm) EXTRA=(TRAWL_ISOLATE_NATIVE_CODE=false) ;;
    *) echo "profile: --modes takes hosts and injvm, not $mode" >&2; exit 2 ;;
  esac
  find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null
  /usr/bin/time -f '%e %U %S' -o "$D/time.txt" python3 "$BENCH/lib/proc_cpu.py" "$D/cpu.tsv" \
    env TRAWL_DATA_DIR="$D/data" TRAWL_JAVA_OPTS="$(jfr_opts "$D/trawl.jfr")" "${EXTRA[@]}" \
    "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES" > "$D/rescan.out" 2>"$D/rescan.err" || {
    echo "profile: the $mode rescan failed; see $D/rescan.err" >&2; exit 2; }
  tail -1 "$D/rescan.out" > "$D/summary.json"
  read -r wall user sys < "$D/time.txt"
  printf '%s.wall\t%s\n%s.cpu\t%s\n' "$mode" "$wall" "$mode" "$(python3 -c "print(round($user + $sys, 2))")" >> "$OUT/info.tsv"
  echo "profile: $mode ${wall}s wall" >&2
done
printf 'uptime\t%s | %s\n' "$UPTIME_BEFORE" "$(uptime)" >> "$OUT/info.tsv"
python3 "$BENCH/lib/profile_report.py" "$OUT" | tee "$OUT/report.txt"
