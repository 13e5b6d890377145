#!/usr/bin/env bash
# Nights in a fresh `./trawl serve` on an empty data folder: one full night of the corpus, then N nothing-changed
# nights of it, each launched over the API with bench/lib/service_night.sh, and the bytes the service wrote each night
# (/proc/PID/io). Every result is written by the Trawl under test, so a change to how results are stored is measured
# on texts it wrote itself (service_ab.sh starts from a data folder an older Trawl may have written).
#
#   bench/lib/fresh_service_nights.sh --corpus DIR --rules PATH [--nights 5] [--profile K] [--out DIR] TRAWL_HOME
#
# TRAWL_HOME is built beforehand (it runs with TRAWL_NO_BUILD=1). --profile K loads async-profiler
# (TRAWL_ASYNC_PROFILER, default /tmp/ap/linux-x64/libasyncProfiler.so) before night K and writes its collapsed stacks
# of nights K to N to OUT/prof.collapsed (bench/lib/night_profile.py reads them). Interleave two TRAWL_HOMEs, several
# rounds each, to compare them: the machine's speed drifts.
set -euo pipefail

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORPUS=""; RULES=""; NIGHTS=5; PROFILE=""; OUT="/tmp/trawl-fresh-nights-$(date +%Y%m%d-%H%M%S)-$$"
while [ $# -gt 1 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --nights) NIGHTS="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "fresh_service_nights: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
case "${1:-}" in -h|--help|"") sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
TRAWL_HOME="$(cd "$1" && pwd)"
[ -d "$CORPUS" ] && [ -e "$RULES" ] || { echo "fresh_service_nights: --corpus DIR and --rules PATH are required" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"; RULES="$(realpath "$RULES")"
AP="${TRAWL_ASYNC_PROFILER:-/tmp/ap/linux-x64/libasyncProfiler.so}"
JCMD="$(dirname "$(readlink -f "$(command -v java)")")/jcmd"

. "$LIB/fresh_service.sh"; PID=""
# the service's process group, and its database (a copy of a corpus's results is not worth keeping)
trap '[ -z "$PID" ] || kill -TERM -- -$PID 2>/dev/null || true; sleep 3; rm -f "$OUT"/data/*.db' EXIT
start_fresh_service "$TRAWL_HOME" "$OUT/data" "$(dirname "$CORPUS"),$(dirname "$RULES")" "$OUT/service.log"
written() { awk '/^write_bytes/ {print $2}' "/proc/$PID/io"; }

"$LIB/service_night.sh" "$PID" full "$CORPUS" "$RULES" true
for n in $(seq 1 "$NIGHTS"); do
  if [ "$n" = "$PROFILE" ]; then "$JCMD" "$PID" JVMTI.agent_load "$AP" '"start,event=cpu,interval=1ms,threads"' >/dev/null; fi
  before="$(written)"
  line="$("$LIB/service_night.sh" "$PID" "nothing-changed-$n" "$CORPUS" "$RULES" false)"
  echo "$line wrote=$(( ($(written) - before) / 1048576 ))MB"
done
if [ -n "$PROFILE" ]; then "$JCMD" "$PID" JVMTI.agent_load "$AP" "\"stop,collapsed,file=$OUT/prof.collapsed\"" >/dev/null; fi
echo "fresh_service_nights: output in $OUT" >&2
