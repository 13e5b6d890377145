#!/usr/bin/env bash
# Times, in one run on a corpus shaped like a sample store (bench/lib/make_store_corpus.py): the native tools, Trawl
# with every analyzer, Trawl with only the analyzers the native tools also run, Trawl with native code in the JVM,
# the same two rescans sent to a running `./trawl serve`, and a Python pipeline with Strelka's libraries
# (bench/lib/peer.py). Checks every file against the CLIs and prints seconds, MB/s, CPU seconds and the ratios
# against the native total and the Python peer. See bench/README.md.
#
#   bench/store-shape.sh [--size-mb 440 | --corpus DIR] [--seed 1] [--rules PATH | --reversinglabs]
#                        [--repeat N] [--work /tmp/trawl-bench-store] [--no-peer] [--no-in-jvm]
#                        [--no-service] [--warm-up N]
#
# The service sides: `./trawl rescan --full` in the data folder of a `./trawl serve` that runs for the whole
# benchmark, which takes the command and runs the job in its JVM. Each service starts with a fresh data folder and
# first rescans a warm-up corpus --warm-up times (default 8; bench/lib/make_warmup_corpus.py: this corpus's files,
# each with 16 bytes more, so it has analysed none of the timed samples); it is stopped (SIGSTOP) while the other
# sides run. Their CPU seconds are the command's plus the service's process tree's over the same time.
#
# --rules defaults to bench/rules/light (20 rules: pe, elf, math, a few strings); --reversinglabs takes
# $TRAWL_BENCH_HEAVY_RULES (default ../shared/rules/reversinglabs). --repeat N runs every side N times, in turn, and reports medians.
# Exits 1 when a file's hashes, size, ssdeep, TLSH or YARA matches differ from the CLIs (Trawl or the peer).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=440
SEED=1
WORK=/tmp/trawl-bench-store
RULES="$BENCH/rules/light"
REPEAT=1
PEER=1
INJVM=1
SERVICE=1
WARMUP=8
# the analyzers the native tools do not run: what is left is hashes (with sha512), MIME, entropy, ssdeep and YARA
SHARED_SKIP=tlsh,strings,pe,elf,archive,fileType
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --reversinglabs) RULES="$HEAVY_RULES"; shift ;;
    --work) WORK="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --no-in-jvm) INJVM=0; shift ;;
    --no-service) SERVICE=0; shift ;;
    --warm-up) WARMUP="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "store-shape: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in yara ssdeep tlsh md5sum sha1sum sha256sum python3 java /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "store-shape: $tool is missing (apt-get install -y yara ssdeep tlsh-tools coreutils python3 time)" >&2; exit 2; }
done
if [ "$PEER" = 1 ] && ! /usr/bin/python3 -c 'import yara, pefile, elftools, ssdeep, tlsh, magic, numpy' 2>/dev/null; then
  echo "store-shape: the Python peer needs: apt-get install -y python3-yara python3-pefile python3-pyelftools python3-ssdeep python3-tlsh python3-magic python3-numpy (or --no-peer)" >&2
  exit 2
fi
[ -e "$RULES" ] || { echo "store-shape: no rules at $RULES" >&2; exit 2; }
[ "$SERVICE" = 0 ] || command -v curl >/dev/null || { echo "store-shape: the service sides need curl (apt-get install -y curl; or --no-service)" >&2; exit 2; }
CORPUS_NAME="corpus-store-${SIZE_MB}mb-seed$SEED"
prepare_run store-shape make_store_corpus.py
CORES="$(nproc)"

TRAWL_DATA_DIR="$RUN/build-data" "$TRAWL_HOME/trawl" status >/dev/null 2>"$RUN/build.log" || {
  echo "store-shape: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }

warm() { xargs -0 cat < "$RUN/files0" > /dev/null; }
timed() { # timed NAME OUTFILE command...: wall and CPU (user + system, children included) seconds into times.tsv
  local name="$1" out="$2"; shift 2
  /usr/bin/time -f '%e %U %S' -o "$RUN/$name.time" "$@" > "$out" 2>"$RUN/$name.err" || {
    echo "store-shape: $name failed:" >&2; tail -5 "$RUN/$name.err" >&2; exit 2; }
  read -r wall user sys < "$RUN/$name.time"
  printf '%s\t%s\t%s\n' "$name" "$wall" "$(python3 -c "print(round($user + $sys, 2))")" >> "$RUN/times.tsv"
  echo "store-shape: $name ${wall}s wall" >&2
}
trawl_run() { # trawl_run NAME REP [ENV=VALUE...]: a rescan into a fresh data folder; its summary line kept
  local name="$1" rep="$2"; shift 2
  warm
  timed "$name" "$RUN/$name-$rep.out" env TRAWL_DATA_DIR="$RUN/data-$name-$rep" "$@" \
    "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES"
  tail -1 "$RUN/$name-$rep.out" > "$RUN/summary-$name-$rep.json"
}

# The running services, by side: each its own process group (setsid), stopped with it at the end
declare -A SERVICE_PID=()
stop_services() {
  local pid i
  for pid in "${SERVICE_PID[@]}"; do
    kill -CONT -- "-$pid" 2>/dev/null || true
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${SERVICE_PID[@]}"; do
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
}
trap stop_services EXIT
# start_service NAME [ENV=VALUE...]: `./trawl serve` on RUN/data-NAME, ready, warmed up, then stopped (SIGSTOP)
start_service() {
  local name="$1" port i n; shift
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  setsid env TRAWL_DATA_DIR="$RUN/data-$name" TRAWL_PORT="$port" "$@" "$TRAWL_HOME/trawl" serve \
    > "$RUN/$name-service.log" 2>&1 < /dev/null &
  SERVICE_PID[$name]=$!
  for i in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    kill -0 "${SERVICE_PID[$name]}" 2>/dev/null || { echo "store-shape: ./trawl serve ($name) exited; see $RUN/$name-service.log" >&2; exit 2; }
    [ "$i" -lt 240 ] || { echo "store-shape: ./trawl serve ($name) was not ready after 120 s" >&2; exit 2; }
    sleep 0.5
  done
  for n in $(seq 1 "$WARMUP"); do
    /usr/bin/time -f '%e' -o "$RUN/$name-warm-up-$n.time" env TRAWL_DATA_DIR="$RUN/data-$name" \
      "$TRAWL_HOME/trawl" rescan --source "$WARMUP_CORPUS" --rules "$RULES" --full \
      > "$RUN/$name-warm-up-$n.out" 2>"$RUN/$name-warm-up-$n.err" || {
      echo "store-shape: the warm-up rescan of $name failed:" >&2; tail -5 "$RUN/$name-warm-up-$n.err" >&2; exit 2; }
    echo "store-shape: $name warm-up $n $(cat "$RUN/$name-warm-up-$n.time")s wall" >&2
  done
  kill -STOP -- "-${SERVICE_PID[$name]}"
}
# service_run NAME REP: the corpus rescanned in full by the running service NAME, through ./trawl rescan in its data
# folder; its CPU is the command's and the service tree's
service_run() {
  local name="$1" rep="$2" pid="${SERVICE_PID[$1]}" before after
  warm
  kill -CONT -- "-$pid"
  before="$(python3 "$BENCH/lib/tree_cpu.py" "service=$pid" | cut -f2)"
  timed "$name" "$RUN/$name-$rep.out" env TRAWL_DATA_DIR="$RUN/data-$name" \
    "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES" --full
  after="$(python3 "$BENCH/lib/tree_cpu.py" "service=$pid" | cut -f2)"
  kill -STOP -- "-$pid"
  # the command's CPU (its last row) plus the service's
  python3 - "$RUN/times.tsv" "$before" "$after" <<'PY'
import sys
path, before, after = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = open(path).read().splitlines()
name, wall, cpu = rows[-1].split("\t")
rows[-1] = f"{name}\t{wall}\t{round(float(cpu) + after - before, 2)}"
open(path, "w").write("\n".join(rows) + "\n")
PY
  tail -1 "$RUN/$name-$rep.out" > "$RUN/summary-$name-$rep.json"
}
if [ "$SERVICE" = 1 ]; then
  WARMUP_CORPUS="$WORK/$(basename "$CORPUS")-warm-up"
  python3 "$BENCH/lib/make_warmup_corpus.py" "$CORPUS" "$WARMUP_CORPUS" --size-mb 440
  start_service trawl-service
  start_service trawl-service-shared TRAWL_SKIP_ANALYZERS="$SHARED_SKIP"
fi

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
UPTIME_BEFORE="$(uptime)"
if python3 -c "import sys; sys.exit(0 if float('$LOAD_BEFORE') > 0.5 else 1)"; then
  echo "store-shape: warning: load average $LOAD_BEFORE before the run; the timings will be noisy" >&2
fi

for rep in $(seq 1 "$REPEAT"); do
  warm
  timed yara "$RUN/yara.txt" yara -e -w -p "$CORES" -d filename= -d filepath= -d extension= -d filetype= \
    -r "${YARA_RULES[@]}" "$CORPUS"
  timed ssdeep "$RUN/ssdeep.txt" ssdeep -r "$CORPUS"
  timed md5sum "$RUN/md5.txt" xargs -0 md5sum < "$RUN/files0"
  timed sha1sum "$RUN/sha1.txt" xargs -0 sha1sum < "$RUN/files0"
  timed sha256sum "$RUN/sha256.txt" xargs -0 sha256sum < "$RUN/files0"
  trawl_run trawl "$rep"
  trawl_run trawl-shared "$rep" TRAWL_SKIP_ANALYZERS="$SHARED_SKIP"
  [ "$INJVM" = 1 ] && trawl_run trawl-injvm "$rep" TRAWL_ISOLATE_NATIVE_CODE=false
  if [ "$SERVICE" = 1 ]; then
    service_run trawl-service "$rep"
    service_run trawl-service-shared "$rep"
  fi
  if [ "$PEER" = 1 ]; then
    warm
    timed peer "$RUN/peer.jsonl" /usr/bin/python3 "$BENCH/lib/peer.py" "$CORPUS" --rules "$RULES"
    tail -1 "$RUN/peer.jsonl" > "$RUN/summary-peer-$rep.json"
  fi
done
# untimed: the tlsh CLI, for the file-by-file check of TLSH
tlsh -r "$CORPUS" > "$RUN/tlsh.txt" 2>"$RUN/tlsh.err" || true
for name in trawl trawl-shared; do
  JOB="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobExecutionId"])' "$RUN/summary-$name-$REPEAT.json")"
  TRAWL_DATA_DIR="$RUN/data-$name-$REPEAT" "$TRAWL_HOME/trawl" results --job "$JOB" --format jsonl \
    > "$RUN/results-$name.jsonl" 2>"$RUN/results-$name.err"
done
if [ "$SERVICE" = 1 ]; then
  for name in trawl-service trawl-service-shared; do
    kill -CONT -- "-${SERVICE_PID[$name]}"
    JOB="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobExecutionId"])' "$RUN/summary-$name-$REPEAT.json")"
    TRAWL_DATA_DIR="$RUN/data-$name" "$TRAWL_HOME/trawl" results --job "$JOB" --format jsonl \
      > "$RUN/results-$name.jsonl" 2>"$RUN/results-$name.err"
  done
  stop_services
  SERVICE_PID=()
fi

{
  printf 'corpus\t%s\n' "$CORPUS"
  printf 'shape\t%s\n' "$(head -1 "$CORPUS.shape" 2>/dev/null | sed 's/^corpus: [^:]*: //')"
  printf 'rules\t%s\n' "$RULES"
  printf 'ruleFiles\t%s\n' "${#YARA_RULES[@]}"
  printf 'cores\t%s\n' "$CORES"
  printf 'repeat\t%s\n' "$REPEAT"
  [ "$SERVICE" = 0 ] || printf 'warmUp\t%s\n' "$(for n in $(seq 1 "$WARMUP"); do printf '%s ' "$(cat "$RUN/trawl-service-warm-up-$n.time")"; done)"
  printf 'load\t%s before, %s after\n' "$LOAD_BEFORE" "$(cut -d' ' -f1 /proc/loadavg)"
  printf 'uptime\t%s | %s\n' "$UPTIME_BEFORE" "$(uptime)"
  printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  printf 'yara\t%s\n' "$(yara --version)"
  printf 'ssdeep\t%s\n' "$(ssdeep -V)"
  printf 'java\t%s\n' "$(sed -n 's/.* on Java \([^ ]* ([^)]*)\).*/\1/p' "$RUN/data-trawl-1/trawl.log" | head -1)"
  printf 'python\t%s\n' "$(/usr/bin/python3 --version 2>&1) yara-python $(/usr/bin/python3 -c 'import yara; print(yara.__version__)' 2>/dev/null || echo -)"
  printf 'trawl\t%s\n' "$(cd "$TRAWL_HOME" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$RUN/info.tsv"

python3 "$BENCH/lib/store_report.py" "$RUN" | tee "$RUN/report.txt"
exit "${PIPESTATUS[0]}"
