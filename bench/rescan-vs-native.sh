#!/usr/bin/env bash
# Times a Trawl rescan against the native tools doing the same analysis on the same corpus, checks that both agree
# file by file, and prints MB/s per tool and the ratio. See bench/README.md.
#
#   bench/rescan-vs-native.sh [--corpus DIR | --size-mb N] [--rules PATH] [--work DIR] [--seed N] [--set full|skeleton]
#                             [--repeat N] [--cpus LIST]
#
# --set skeleton compares issue 2's analysis (hashes, MIME, entropy, YARA) with yara and the hash sums only;
# full (the default) compares every analyzer with yara, ssdeep and the hash sums. --repeat N runs both sides N times,
# alternating, and reports each tool's median (a shared machine is noisy). --cpus pins both sides to those CPUs
# (taskset -c LIST, for example 0 or 0-1), to see how each side scales with cores; yara -p and Trawl follow the count.
# Exits 1 when a file's hashes, size, ssdeep or YARA matches differ between Trawl and the native tools.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=700
SEED=1
WORK=/tmp/trawl-bench
RULES=""
SET=full
REPEAT=1
CPUS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --set) SET="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --cpus) CPUS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rescan-vs-native: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$SET" in
  full) ;;
  skeleton) export TRAWL_SKIP_ANALYZERS=fileType,ssdeep,tlsh,pe,elf,strings,archive ;;
  *) echo "rescan-vs-native: --set is full or skeleton, not $SET" >&2; exit 2 ;;
esac
if [ -z "$RULES" ]; then
  # the ReversingLabs ruleset when this machine has it (users do not), else the project's default rules
  if [ -d "$HEAVY_RULES" ]; then RULES="$HEAVY_RULES"; else RULES="$TRAWL_HOME/config/rules"; fi
fi
for tool in yara ssdeep md5sum sha1sum sha256sum python3 java /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "rescan-vs-native: $tool is missing (apt-get install -y yara ssdeep coreutils python3 time)" >&2; exit 2; }
done
CORPUS_NAME="corpus-${SIZE_MB}mb-seed$SEED"
prepare_run rescan-vs-native make_corpus.py
CORES="$(nproc)"
PIN=()
if [ -n "$CPUS" ]; then
  command -v taskset >/dev/null || { echo "rescan-vs-native: --cpus needs taskset (apt-get install -y util-linux)" >&2; exit 2; }
  PIN=(taskset -c "$CPUS")
  CORES="$("${PIN[@]}" nproc)" || { echo "rescan-vs-native: --cpus $CPUS is not a CPU list taskset accepts" >&2; exit 2; }
fi

# Build the jar before anything is timed (the launcher builds on first use); its own data folder, so the timed
# run starts from an empty database.
TRAWL_DATA_DIR="$RUN/build-data" "$TRAWL_HOME/trawl" status >/dev/null 2>"$RUN/build.log" || {
  echo "rescan-vs-native: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }

warm() { xargs -0 cat < "$RUN/files0" > /dev/null; }
timed() { # timed NAME OUTFILE command...: runs it, records its wall and CPU (user + system) seconds in times.tsv
  local name="$1" out="$2"; shift 2
  /usr/bin/time -f '%e %U %S' -o "$RUN/$name.time" "${PIN[@]}" "$@" > "$out" 2>"$RUN/$name.err" || {
    echo "rescan-vs-native: $name failed:" >&2; tail -5 "$RUN/$name.err" >&2; exit 2; }
  read -r wall user sys < "$RUN/$name.time"
  printf '%s\t%s\t%s\n' "$name" "$wall" "$(python3 -c "print(round($user + $sys, 2))")" >> "$RUN/times.tsv"
  echo "rescan-vs-native: $name ${wall}s wall" >&2
}

# Other work on the machine slows both sides unevenly: say so, and keep the load average in the report.
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
if python3 -c "import sys; sys.exit(0 if float('$LOAD_BEFORE') > 0.5 else 1)"; then
  echo "rescan-vs-native: warning: load average $LOAD_BEFORE before the run; the timings will be noisy" >&2
fi

for rep in $(seq 1 "$REPEAT"); do
  # (a) the native tools, each over every file, after a warm-up read so both sides start from the same page cache
  warm
  timed yara "$RUN/yara.txt" yara -e -w -p "$CORES" -d filename= -d filepath= -d extension= -d filetype= \
    -r "${YARA_RULES[@]}" "$CORPUS"
  [ "$SET" = full ] && timed ssdeep "$RUN/ssdeep.txt" ssdeep -r "$CORPUS"
  timed md5sum "$RUN/md5.txt" xargs -0 md5sum < "$RUN/files0"
  timed sha1sum "$RUN/sha1.txt" xargs -0 sha1sum < "$RUN/files0"
  timed sha256sum "$RUN/sha256.txt" xargs -0 sha256sum < "$RUN/files0"

  # (b) Trawl, end to end (JVM start included), into a fresh database
  warm
  export TRAWL_DATA_DIR="$RUN/data-$rep"
  timed trawl "$RUN/rescan.out" "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES"
  tail -1 "$RUN/rescan.out" > "$RUN/summary-$rep.json"
done
cp "$RUN/summary-$REPEAT.json" "$RUN/summary.json"
JOB="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobExecutionId"])' "$RUN/summary.json")"
"$TRAWL_HOME/trawl" results --job "$JOB" --format jsonl > "$RUN/results.jsonl" 2>"$RUN/results.err"

{
  printf 'set\t%s\n' "$SET"
  printf 'corpus\t%s\n' "$CORPUS"
  printf 'rules\t%s\n' "$RULES"
  printf 'ruleFiles\t%s\n' "${#YARA_RULES[@]}"
  printf 'cores\t%s\n' "$CORES"
  printf 'repeat\t%s\n' "$REPEAT"
  printf 'load\t%s before, %s after\n' "$LOAD_BEFORE" "$(cut -d' ' -f1 /proc/loadavg)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  printf 'yara\t%s\n' "$(yara --version)"
  printf 'ssdeep\t%s\n' "$(ssdeep -V)"
  printf 'coreutils\t%s\n' "$(md5sum --version | head -1 | awk '{print $NF}')"
  # the java the launcher chose (it prefers a JDK 25+ for its AOT cache), as the rescan logged it
  printf 'java\t%s\n' "$(sed -n 's/.* on Java \([^ ]* ([^)]*)\).*/\1/p' "$RUN/data-1/trawl.log" | head -1)"
  printf 'trawl\t%s\n' "$(cd "$TRAWL_HOME" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$TRAWL_HOME" && git diff --quiet HEAD -- worker jobs readmodel config 2>/dev/null || echo ' (with local changes)')"
} > "$RUN/info.tsv"

# (c) the table and the file-by-file check
python3 "$BENCH/lib/rescan_report.py" "$RUN" | tee "$RUN/report.txt"
exit "${PIPESTATUS[0]}"
