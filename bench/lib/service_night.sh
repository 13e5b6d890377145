#!/bin/bash
# One night as a job launched over the REST API on a running `./trawl serve`, as the nightly schedule runs it: the
# wall time from launch to the end, and the CPU seconds of the service's process tree (the JVM and its native hosts)
# over that time.
#
#   bench/lib/service_night.sh PID NAME SOURCE RULES [full: true|false]   (TRAWL_KEY_FILE: an operator API key)
#
# A host process that starts and ends within the night takes its CPU with it, so only nights where no host comes and
# goes are measured right: full nights (their hosts stay pooled) and nights where nothing changed (no host starts).
set -euo pipefail
PID=$1; NAME=$2; SOURCE=$3; RULES=$4; FULL=${5:-false}
KEY=$(cat "${TRAWL_KEY_FILE:?an operator API key in a file}"); URL=${TRAWL_SERVE_URL:-http://127.0.0.1:8080}
tree_ticks() {
  local total=0 p
  for p in $(pstree -p -T "$PID" | grep -o '([0-9]*)' | tr -d '()'); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
field() { python3 -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }
before=$(tree_ticks); start=$(date +%s.%N)
body=$(python3 -c 'import json, sys; print(json.dumps({"source": sys.argv[1], "rules": sys.argv[2],
  "requestId": sys.argv[3], "full": sys.argv[4] == "true"}))' "$SOURCE" "$RULES" "$NAME" "$FULL")
id=$(curl -sf -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d "$body" "$URL/api/jobs" | field jobExecutionId)
while :; do
  status=$(curl -sf -H "X-API-Key: $KEY" "$URL/api/jobs/$id" | field status)
  case $status in COMPLETED|FAILED|STOPPED) break ;; esac
  sleep 0.5
done
end=$(date +%s.%N); after=$(tree_ticks)
python3 -c "import sys; print(f'{sys.argv[1]} job={sys.argv[2]} status={sys.argv[3]} wall={float(sys.argv[5]) - float(sys.argv[4]):.2f} '
  f'cpu={(int(sys.argv[7]) - int(sys.argv[6])) / int(sys.argv[8]):.2f}')" \
  "$NAME" "$id" "$status" "$start" "$end" "$before" "$after" "$(getconf CLK_TCK)"
