#!/usr/bin/env bash
# Issue 14's nights, in one run, on a copy of a store-shaped corpus with the ReversingLabs rules (bench/README.md):
#   night 1  a full rescan with R1 (the set less three rules, bench/lib/rule_nights.py);
#   night 2  a share of the files new or modified (bench/lib/night_change.py), R2 (two rules added, one changed):
#            the incremental rescan; a --full rescan of the same state; yara -r -p <cores> with R2 over the corpus
#            plus sha256sum, md5sum, sha1sum and ssdeep of the new and modified files;
#   night 3  nothing changed: the incremental rescan.
# Prints wall and CPU seconds, the ratios against issue 14's targets, and two checks: `./trawl diff` of nights 1 and
# 2 against what sha256sum and yara -r say changed (archive layers extracted with unzip, gzip and tar), and the
# incremental night 2's results against the full one's (sha256, verdict, YARA rules). Exits 1 when a check fails.
#
#   bench/incremental.sh [--size-mb 1800 | --corpus DIR] [--seed 1] [--share 0.02] [--rules DIR] [--repeat 3]
#                        [--work /tmp/trawl-bench-incremental] [--keep] [--all-full] [--no-service]
#
# The corpus (--corpus, or bench/lib/make_store_corpus.py's of --size-mb under --work) is copied, never changed.
# --rules defaults to $TRAWL_BENCH_HEAVY_RULES (../shared/rules/reversinglabs). --repeat N times each night-2 and
# night-3 side N times from copies of the previous night's data folder and reports medians. --keep keeps the
# corpus copy and the data folders (removed at the end otherwise). --all-full debugs the script on a Trawl without
# incremental rescans: every night is a plain rescan, and without `./trawl diff` the diff is read from the results.
#
# The nights also run as the nightly schedule runs them (--no-service leaves them out; --service, now the default,
# is still accepted): in one running `./trawl serve` (its own data folder), each launched over the REST API
# (bench/lib/service_night.sh), its CPU the service's process tree's, native hosts that come and go within a night
# included. Each repeat has its own copy of the corpus in the service (night 1 on it before the change, then the
# same change) for night 2 incremental and night 3; night 2 `"full": true` reads the
# cold sides' corpus (a full night needs no earlier one). As a nightly schedule meets new rules each night, each
# repeat's R2 for the incremental nights, and for the full night, is a copy of R2 with a comment added (the same
# rules and fingerprints, a new ruleset version): every night 2 loads its own rules into the native hosts, none
# finds them loaded by an earlier night. The host processes themselves are the service's, kept from night to night
# as in a service that runs every night (docs/crash-containment.md). The service's ratios, the nightly schedule's,
# are printed first, then the cold commands' (a manual rescan, which pays the JVM's start and warm-up each time),
# with the same two checks.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
BENCH_NAME=incremental
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=1800
SEED=1
SHARE=0.02
RULES="$HEAVY_RULES"
REPEAT=3
WORK=/tmp/trawl-bench-incremental
KEEP=0
ALL_FULL=0
SERVICE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --share) SHARE="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --all-full) ALL_FULL=1; shift ;;
    --service) SERVICE=1; shift ;;
    --no-service) SERVICE=0; shift ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "incremental: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in yara ssdeep md5sum sha1sum sha256sum unzip gzip tar python3 java /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "incremental: $tool is missing (apt-get install -y yara ssdeep coreutils unzip gzip tar python3 time)" >&2; exit 2; }
done
[ -d "$RULES" ] || { echo "incremental: no rules folder at $RULES; give one with --rules or TRAWL_BENCH_HEAVY_RULES" >&2; exit 2; }
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "incremental: --repeat is a count of 1 or more, not $REPEAT" >&2; exit 2; }
[ -z "$CORPUS" ] || [ -d "$CORPUS" ] || { echo "incremental: the corpus folder $CORPUS does not exist" >&2; exit 2; }
[ "$ALL_FULL" = 0 ] || SERVICE=0  # the service measures incremental nights
[ "$SERVICE" = 0 ] || command -v curl >/dev/null || { echo "incremental: the service's nights need curl (apt-get install -y curl; or --no-service)" >&2; exit 2; }

CORPUS_NAME="corpus-store-${SIZE_MB}mb-seed$SEED"
prepare_run incremental make_store_corpus.py
ORIGINAL="$CORPUS"
CORPUS="$RUN/corpus"
cp -a "$ORIGINAL/." "$CORPUS/"
list_files
python3 "$BENCH/lib/rule_nights.py" "$RULES" "$RUN/rules" > "$RUN/rules.txt"
CORES="$(nproc)"
trawl() { TRAWL_DATA_DIR="$1" "$TRAWL_HOME/trawl" "${@:2}"; }

trawl "$RUN/build-data" status >/dev/null 2>"$RUN/build.log" || {
  echo "incremental: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }
FULL=(--full)
if ! trawl "$RUN/build-data" rescan --help 2>/dev/null | grep -q -- '--full'; then
  if [ "$ALL_FULL" = 0 ]; then
    echo "incremental: this Trawl's rescan has no --full option: it has no incremental rescan to measure. Build the" \
      "branch with issue 14's rescan, or debug this script with --all-full (every night a plain, full rescan)." >&2
    exit 2
  fi
  FULL=()
fi
HAS_DIFF=1
trawl "$RUN/build-data" diff --help >/dev/null 2>&1 || HAS_DIFF=0
if [ "$HAS_DIFF" = 0 ] && [ "$ALL_FULL" = 0 ]; then
  echo "incremental: this Trawl has no diff command; build the branch with ./trawl diff, or use --all-full." >&2
  exit 2
fi

# rescan NAME DATA RULES [--full]: a timed rescan of the corpus into the data folder; prints its job execution id
rescan() {
  local name="$1" data="$2" rules="$3"; shift 3
  warm
  timed "$name" "$RUN/$name.out" env TRAWL_DATA_DIR="$data" "$TRAWL_HOME/trawl" rescan --source "$CORPUS" \
    --rules "$rules" "$@"
  tail -1 "$RUN/$name.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["jobExecutionId"])'
}

# what_the_clis_say STATE RULES: STATE.sha256 and STATE.yara, sha256sum and yara -r of every file of the corpus and
# of its archives' layers (a zip's members, a tar.gz's tar and its members), as extracted by unzip, gzip and tar.
# The store-shaped corpus's archives hold ELF files and scripts only: one level is all there is. TOPLEVEL_YARA, when
# set, is a yara -r output of the corpus with these rules already (the timed baseline), reused.
what_the_clis_say() {
  local state="$RUN/$1" rules="$2" archive n=0
  rm -rf "$state.layers"; mkdir -p "$state.layers"
  while IFS= read -r -d '' archive; do
    n=$((n + 1)); mkdir -p "$state.layers/$n"
    if [ "$(head -c 2 "$archive" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
      gzip -dc < "$archive" > "$state.layers/$n/layer.tar" || true
      mkdir -p "$state.layers/$n/m" && tar -xf "$state.layers/$n/layer.tar" -C "$state.layers/$n/m" 2>/dev/null || true
    else
      unzip -qq -o "$archive" -d "$state.layers/$n/m" || true
    fi
  done < <(python3 -c '
import os, sys
for name in sorted(os.listdir(sys.argv[1])):
    path = os.path.join(sys.argv[1], name)
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PK\3\4" or head[:2] == b"\x1f\x8b":
        sys.stdout.write(path + "\0")' "$CORPUS")
  (xargs -0 sha256sum < "$RUN/files0"; find "$state.layers" -type f -print0 | sort -z | xargs -0 -r sha256sum) \
    > "$state.sha256"
  yara_rule_args "$rules"
  { if [ -n "${TOPLEVEL_YARA:-}" ]; then cat "$TOPLEVEL_YARA"; else
      "${YARA_CLI[@]}" -p "$CORES" -r "${YARA_RULES[@]}" "$CORPUS"; fi
    "${YARA_CLI[@]}" -p "$CORES" -r "${YARA_RULES[@]}" "$state.layers"; } > "$state.yara"
}

# --- the running service (--service): started once, every service night launched over its API ------------------
SERVICE_PID=""
SERVICE_NIGHT1=()
stop_service() {
  local i
  [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null || return 0
  kill -TERM -- "-$SERVICE_PID" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$SERVICE_PID" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL -- "-$SERVICE_PID" 2>/dev/null || true
}
trap stop_service EXIT
start_service() {
  local port i
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # its own session: the script stops the service's process group, and nothing else
  setsid env TRAWL_DATA_DIR="$RUN/data-service" TRAWL_PORT="$port" TRAWL_SOURCES_ALLOWED="$RUN" \
    "$TRAWL_HOME/trawl" serve > "$RUN/service.log" 2>&1 < /dev/null &
  SERVICE_PID=$!
  export TRAWL_SERVE_URL="http://127.0.0.1:$port" TRAWL_KEY_FILE="$RUN/data-service/admin.key"
  for i in $(seq 1 240); do
    curl -sf "$TRAWL_SERVE_URL/actuator/health/readiness" >/dev/null 2>&1 && [ -s "$TRAWL_KEY_FILE" ] && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || { echo "incremental: ./trawl serve exited; see $RUN/service.log" >&2; tail -5 "$RUN/service.log" >&2; exit 2; }
    sleep 0.5
  done
  echo "incremental: ./trawl serve was not ready after 120 s; see $RUN/service.log" >&2; exit 2
}
# service_rules NAME NOTE: RUN/service-rules/NAME, R2 with "// NOTE" added to its first file: a new ruleset version
# (a new compile, new native hosts) of the same rules; the version it replaces is freed once no job holds it
service_rules() {
  local folder="$RUN/service-rules/$1" first
  rm -rf "$folder"; mkdir -p "$(dirname "$folder")"; cp -a "$RUN/rules/r2" "$folder"
  first="$(find "$folder" -type f \( -name '*.yar' -o -name '*.yara' \) | sort | sed -n 1p)"
  printf '\n// %s\n' "$2" >> "$first"
}
# service_night NAME SOURCE RULES FULL: one night in the service, into RUN/times.tsv; sets SERVICE_JOB to its job
# execution id
service_night() {
  local name="$1" source="$2" line wall cpu status
  find "$source" -type f -print0 | xargs -0 cat > /dev/null  # warm, as the cold sides' corpus is
  line="$("$BENCH/lib/service_night.sh" "$SERVICE_PID" "$name" "$source" "$3" "$4")"
  echo "$line" >> "$RUN/service-nights.txt"
  status="$(sed -n 's/.* status=\([A-Z]*\) .*/\1/p' <<<"$line")"
  [ "$status" = COMPLETED ] || { echo "incremental: $name in the service ended $status; see $RUN/service.log" >&2; exit 2; }
  SERVICE_JOB="$(sed -n 's/.* job=\([0-9]*\) .*/\1/p' <<<"$line")"
  wall="$(sed -n 's/.* wall=\([0-9.]*\) .*/\1/p' <<<"$line")"; cpu="$(sed -n 's/.* cpu=\([0-9.]*\)$/\1/p' <<<"$line")"
  printf '%s\t%s\t%s\n' "$name" "$wall" "$cpu" >> "$RUN/times.tsv"
  echo "incremental: $name (service, job $SERVICE_JOB) ${wall}s wall, $cpu CPU s" >&2
}

LOAD_BEFORE="$(uptime)"
echo "incremental: $LOAD_BEFORE" >&2
if [ "$SERVICE" = 1 ]; then
  start_service
  for rep in $(seq 1 "$REPEAT"); do
    cp -a "$CORPUS/." "$RUN/service-corpus-$rep/"
    service_night service-night1-full "$RUN/service-corpus-$rep" "$RUN/rules/r1" true
    SERVICE_NIGHT1[$rep]="$SERVICE_JOB"
  done
fi

# night 1
what_the_clis_say state1 "$RUN/rules/r1"
JOB1="$(rescan night1-full "$RUN/data-night1" "$RUN/rules/r1" "${FULL[@]}")"

# night 2: the store changes, and the rules
python3 "$BENCH/lib/night_change.py" "$CORPUS" --share "$SHARE" --seed "$SEED" --manifest "$ORIGINAL.manifest" \
  --list "$RUN/changed0"
list_files
if [ "$SERVICE" = 1 ]; then
  # the same change in each service copy: the new and modified files, copied with their times
  for rep in $(seq 1 "$REPEAT"); do
    while IFS= read -r -d '' changed; do
      mkdir -p "$(dirname "$RUN/service-corpus-$rep/${changed#"$CORPUS"/}")"
      cp -a "$changed" "$RUN/service-corpus-$rep/${changed#"$CORPUS"/}"
    done < "$RUN/changed0"
  done
fi
yara_rule_args "$RUN/rules/r2"
for rep in $(seq 1 "$REPEAT"); do
  rm -rf "$RUN/data-night2" "$RUN/data-night2-full"
  cp -a "$RUN/data-night1" "$RUN/data-night2"
  cp -a "$RUN/data-night1" "$RUN/data-night2-full"
  JOB2="$(rescan night2-incremental "$RUN/data-night2" "$RUN/rules/r2")"
  JOB2_FULL="$(rescan night2-full "$RUN/data-night2-full" "$RUN/rules/r2" "${FULL[@]}")"
  warm
  timed yara "$RUN/yara-r2.txt" "${YARA_CLI[@]}" -p "$CORES" -r "${YARA_RULES[@]}" "$CORPUS"
  timed sha256sum "$RUN/changed.sha256" xargs -0 sha256sum < "$RUN/changed0"
  timed md5sum "$RUN/changed.md5" xargs -0 md5sum < "$RUN/changed0"
  timed sha1sum "$RUN/changed.sha1" xargs -0 sha1sum < "$RUN/changed0"
  timed ssdeep "$RUN/changed.ssdeep" xargs -0 ssdeep < "$RUN/changed0"
  # night 3: nothing changed since night 2
  rm -rf "$RUN/data-night3"
  cp -a "$RUN/data-night2" "$RUN/data-night3"
  JOB3="$(rescan night3-incremental "$RUN/data-night3" "$RUN/rules/r2")"
  if [ "$SERVICE" = 1 ]; then
    service_rules r2 "night 2 in the service, repeat $rep"
    service_rules r2-full "night 2 in the service, full, repeat $rep"
    service_night service-night2-incremental "$RUN/service-corpus-$rep" "$RUN/service-rules/r2" false
    SERVICE_NIGHT2="$SERVICE_JOB"
    service_night service-night2-full "$CORPUS" "$RUN/service-rules/r2-full" true; SERVICE_NIGHT2_FULL="$SERVICE_JOB"
    service_night service-night3-incremental "$RUN/service-corpus-$rep" "$RUN/service-rules/r2" false
    SERVICE_NIGHT3="$SERVICE_JOB"
    SERVICE_NIGHT1_OF_REP="${SERVICE_NIGHT1[$rep]}"
  fi
done
stop_service
LOAD_AFTER="$(uptime)"
TOPLEVEL_YARA="$RUN/yara-r2.txt" what_the_clis_say state2 "$RUN/rules/r2"

# what Trawl says: ask NAME DATA COMMAND...: ./trawl's answer into RUN/NAME, or one sentence and exit 2
ask() {
  local name="$1" data="$2"; shift 2
  trawl "$data" "$@" > "$RUN/$name" 2>"$RUN/$name.err" || {
    echo "incremental: ./trawl $* failed (see $RUN/$name.err):" >&2; tail -3 "$RUN/$name.err" >&2; exit 2; }
}
ask results-night1.jsonl "$RUN/data-night3" results --job "$JOB1" --format jsonl
ask results-night2.jsonl "$RUN/data-night3" results --job "$JOB2" --format jsonl
ask results-night3.jsonl "$RUN/data-night3" results --job "$JOB3" --format jsonl
ask results-night2-full.jsonl "$RUN/data-night2-full" results --job "$JOB2_FULL" --format jsonl
if [ "$HAS_DIFF" = 1 ]; then
  ask diff.jsonl "$RUN/data-night2" diff "$JOB1" "$JOB2" --format jsonl
fi
if [ "$SERVICE" = 1 ]; then  # the last repeat's service nights, read from its data folder once it stopped
  ask results-service-night2.jsonl "$RUN/data-service" results --job "$SERVICE_NIGHT2" --format jsonl
  ask results-service-night2-full.jsonl "$RUN/data-service" results --job "$SERVICE_NIGHT2_FULL" --format jsonl
  ask results-service-night3.jsonl "$RUN/data-service" results --job "$SERVICE_NIGHT3" --format jsonl
  ask diff-service.jsonl "$RUN/data-service" diff "$SERVICE_NIGHT1_OF_REP" "$SERVICE_NIGHT2" --format jsonl
fi
{
  printf 'corpus\t%s (a copy of %s)\n' "$CORPUS" "$ORIGINAL"
  printf 'shape\t%s\n' "$(head -1 "$ORIGINAL.shape" 2>/dev/null | sed 's/^corpus: [^:]*: //')"
  printf 'files\t%s after night 2, %s new or modified (share %s)\n' "$(tr -cd '\0' < "$RUN/files0" | wc -c)" \
    "$(tr -cd '\0' < "$RUN/changed0" | wc -c)" "$SHARE"
  printf 'rules\t%s: %s\n' "$RULES" "$(tr '\n' ';' < "$RUN/rules.txt")"
  printf 'mode\t%s\n' "$([ "$ALL_FULL" = 1 ] && echo "--all-full: every night a plain rescan" || echo incremental)"
  printf 'jobs\tnight 1 %s, night 2 %s (full: %s in its own copy), night 3 %s\n' "$JOB1" "$JOB2" "$JOB2_FULL" "$JOB3"
  [ "$SERVICE" = 0 ] || printf 'service\tone ./trawl serve, nights launched over its API; last repeat: night 1 %s, night 2 %s, full %s, night 3 %s\n' \
    "$SERVICE_NIGHT1_OF_REP" "$SERVICE_NIGHT2" "$SERVICE_NIGHT2_FULL" "$SERVICE_NIGHT3"
  printf 'cores\t%s\n' "$CORES"
  printf 'repeat\t%s\n' "$REPEAT"
  printf 'uptime\t%s | %s\n' "$LOAD_BEFORE" "$LOAD_AFTER"
  printf 'versions\t%s\n' "yara $(yara --version), ssdeep $(ssdeep -V), trawl $(cd "$TRAWL_HOME" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$RUN/info.tsv"

status=0
python3 "$BENCH/lib/incremental_report.py" "$RUN" | tee "$RUN/report.txt" || status=1
if [ "$KEEP" = 0 ]; then
  rm -rf "$CORPUS" "$RUN"/data-* "$RUN"/build-data "$RUN"/state*.layers "$RUN"/service-corpus-*
fi
exit "$status"
