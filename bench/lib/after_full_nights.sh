#!/usr/bin/env bash
# Nothing-changed nights that each follow a full night of another folder, in a fresh `./trawl serve`, as a service
# meets them when the day's on-demand scans run between its nights: a full night of a copy A of the corpus, a full
# night of the corpus itself (B), then N times a nothing-changed night of A and a full night of B. Prints each night
# (bench/lib/service_night.sh's line) and, for the nothing-changed ones, the service's CPU by thread group
# (bench/lib/tree_cpu.py --threads: jit, gc, http, ...; "rest" is the threads that ended, the job's analysing threads
# among them). bench/README.md, "Session 21".
#
#   bench/lib/after_full_nights.sh --corpus DIR --rules PATH [--nights 3] [--out DIR] TRAWL_HOME
#
# TRAWL_HOME is built beforehand (it runs with TRAWL_NO_BUILD=1); TRAWL_JAVA_OPTS reaches the service, to compare JVM
# options (run it once per option, in turn: the machine's speed drifts).
set -euo pipefail

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORPUS=""; RULES=""; NIGHTS=3; OUT="/tmp/trawl-after-full-$(date +%Y%m%d-%H%M%S)-$$"
while [ $# -gt 1 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --nights) NIGHTS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "after_full_nights: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done
case "${1:-}" in -h|--help|"") sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
TRAWL_HOME="$(cd "$1" && pwd)"
[ -d "$CORPUS" ] && [ -e "$RULES" ] || { echo "after_full_nights: --corpus DIR and --rules PATH are required" >&2; exit 2; }
[[ "$NIGHTS" =~ ^[1-9][0-9]*$ ]] || { echo "after_full_nights: --nights is a count of 1 or more, not $NIGHTS" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"; RULES="$(realpath "$RULES")"

mkdir -p "$OUT"
cp -a "$CORPUS/." "$OUT/a/"
. "$LIB/fresh_service.sh"; PID=""
# the service's process group, its database and the copy of the corpus
trap '[ -z "$PID" ] || kill -TERM -- -$PID 2>/dev/null || true; sleep 3; rm -rf "$OUT"/data/*.db "$OUT/a"' EXIT
start_fresh_service "$TRAWL_HOME" "$OUT/data" "$OUT,$(dirname "$CORPUS"),$(dirname "$RULES")" "$OUT/service.log"
groups() { python3 "$LIB/tree_cpu.py" --threads "service=$PID" | sed -n 's|^service/||p'; }

"$LIB/service_night.sh" "$PID" full-a "$OUT/a" "$RULES" true
"$LIB/service_night.sh" "$PID" full-b "$CORPUS" "$RULES" true
for n in $(seq 1 "$NIGHTS"); do
  groups > "$OUT/before-$n.tsv"
  line="$("$LIB/service_night.sh" "$PID" "nothing-changed-$n" "$OUT/a" "$RULES" false)"
  groups > "$OUT/after-$n.tsv"
  echo "$line $(awk -F'\t' 'NR == FNR { was[$1] = $2; next } { printf "%s=%.2f ", $1, $2 - was[$1] }' \
    "$OUT/before-$n.tsv" "$OUT/after-$n.tsv")"
  [ "$n" = "$NIGHTS" ] || "$LIB/service_night.sh" "$PID" "full-b-$n" "$CORPUS" "$RULES" true
done
echo "after_full_nights: output in $OUT" >&2
