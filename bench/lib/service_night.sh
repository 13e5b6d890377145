#!/bin/bash
# One night as a job launched over the REST API on a running `./trawl serve`, as the nightly schedule runs it: the
# wall time from launch to the end, and the CPU seconds of the service's process tree (the JVM and its native hosts)
# over that time.
#
#   bench/lib/service_night.sh PID NAME SOURCE RULES [full: true|false]   (TRAWL_KEY_FILE: an operator API key)
#
# Prints "NAME job=ID status=STATUS wall=SECONDS http=SECONDS cpu=SECONDS". wall runs from the launch request to the
# end the job recorded (its endTime, on the same machine's clock), not to the poll that saw it. http is the part of
# cpu spent by the service's request threads: the launch, and this script's own status polls, which a nightly job
# launched by the schedule does not have. The CPU is bench/lib/tree_cpu.py's: every process of
# the tree counts its own time and that of its children already waited for (/proc/PID/stat cutime and cstime), so a
# native host that starts and ends within the night (a YARA delta's) is counted by the JVM that reaped it. The job is
# polled every 0.5 s for its first 5 s, then every second: each poll costs the service about 8 ms of CPU, which a
# night the schedule launches does not have, and the wall time no longer depends on when a poll comes.
set -euo pipefail
PID=$1; NAME=$2; SOURCE=$3; RULES=$4; FULL=${5:-false}
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KEY=$(cat "${TRAWL_KEY_FILE:?an operator API key in a file}"); URL=${TRAWL_SERVE_URL:-http://127.0.0.1:8080}
tree_cpu() { python3 "$LIB/tree_cpu.py" "service=$PID" | cut -f2; }
http_cpu() { python3 "$LIB/tree_cpu.py" --threads "service=$PID" | awk -F'\t' '$1 == "service/http" { print $2; f = 1 } END { if (!f) print 0 }'; }
field() { python3 -c "import sys, json; print(json.load(sys.stdin)['$1'])"; }
body=$(python3 -c 'import json, sys; print(json.dumps({"source": sys.argv[1], "rules": sys.argv[2],
  "requestId": sys.argv[3], "full": sys.argv[4] == "true"}))' "$SOURCE" "$RULES" "$NAME-$$" "$FULL")
kill -0 "$PID" 2>/dev/null || { echo "service_night: no process $PID: is the service running?" >&2; exit 2; }
before=$(tree_cpu); http_before=$(http_cpu); start=$(date +%s.%N)
id=$(curl -sf -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d "$body" "$URL/api/jobs" | field jobExecutionId)
polls=0
while :; do
  job=$(curl -sf -H "X-API-Key: $KEY" "$URL/api/jobs/$id")
  status=$(field status <<< "$job")
  case $status in COMPLETED|FAILED|STOPPED|ABANDONED) break ;; esac
  polls=$((polls + 1))
  if [ "$polls" -lt 10 ]; then sleep 0.5; else sleep 1; fi
done
after=$(tree_cpu); http_after=$(http_cpu)
# the job's endTime is the service's local time without a zone, as Python reads one (this machine's zone)
end=$(python3 -c 'import sys, json, time; from datetime import datetime; e = json.load(sys.stdin).get("endTime")
print(datetime.fromisoformat(e).timestamp() if e else time.time())' <<< "$job")
python3 -c "import sys; print(f'{sys.argv[1]} job={sys.argv[2]} status={sys.argv[3]} wall={float(sys.argv[5]) - float(sys.argv[4]):.2f} '
  f'http={max(0.0, float(sys.argv[9]) - float(sys.argv[8])):.2f} cpu={float(sys.argv[7]) - float(sys.argv[6]):.2f}')" \
  "$NAME" "$id" "$status" "$start" "$end" "$before" "$after" "$http_before" "$http_after"
