#!/usr/bin/env bash
# Rules-changed nights in two running services, a base and a new Trawl, interleaved (the rule gate of the delta scan,
# issue 14, session 12). Uses the corpus copy and rulesets bench/lib/gate_nights.sh left in OUT.
#
#   bench/lib/gate_service.sh --out OUT --base TRAWL_HOME [--new TRAWL_HOME (.)] [--rounds 3] [--rulesets 'r2 r2-rl']
#
# Each service does night 1 (full, R1), then per round and per ruleset (r2, r2-rl): a night with R1 again (its delta
# undoes the last one; not measured), then the measured night with the ruleset, base and new in turn. Every ruleset a
# night runs is a new version (a comment added), so each compiles and starts its own hosts as a night with new rules
# does. Prints the nights (bench/lib/service_night.sh) and the medians; the new side's log gives the contents each
# delta scanned and skipped.
set -euo pipefail
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="" BASE="" NEW="$(cd "$LIB/../.." && pwd)" ROUNDS=3 FLAVOURS="r2 r2-rl"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --base) BASE="$2"; shift 2 ;;
    --new) NEW="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --rulesets) FLAVOURS="$2"; shift 2 ;;
    *) echo "gate_service: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -d "$OUT/corpus" ] && [ -d "$OUT/rules/r2-rl" ] || { echo "gate_service: run bench/lib/gate_nights.sh into $OUT first" >&2; exit 2; }
declare -A PID URL
stop() {
  local side
  for side in "${!PID[@]}"; do kill -TERM -- "-${PID[$side]}" 2>/dev/null || true; done
}
trap stop EXIT
start() { # SIDE HOME
  local port i
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  rm -rf "$OUT/service-$1"
  setsid env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$OUT/service-$1" TRAWL_PORT="$port" TRAWL_SOURCES_ALLOWED="$OUT" \
    "$2/trawl" serve > "$OUT/service-$1.out" 2>&1 < /dev/null &
  PID[$1]=$!
  URL[$1]="http://127.0.0.1:$port"
  for i in $(seq 1 360); do
    curl -sf "${URL[$1]}/actuator/health/readiness" >/dev/null 2>&1 && [ -s "$OUT/service-$1/admin.key" ] && return 0
    sleep 0.5
  done
  echo "gate_service: the $1 service was not ready; see $OUT/service-$1.out" >&2; exit 2
}
rules() { # NAME: a new version of OUT/rules/NAME, in a new folder (run in a subshell: the count is a file); prints it
  local n folder first
  n=$(( $(cat "$OUT/service-rules.count" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$OUT/service-rules.count"
  folder="$OUT/service-rules/$1-$n"
  [ ! -e "$folder" ] || { echo "gate_service: $folder exists" >&2; exit 2; }
  mkdir -p "$OUT/service-rules"; cp -a "$OUT/rules/$1" "$folder"
  first="$(find "$folder" -type f \( -name '*.yar' -o -name '*.yara' \) | sort | sed -n 1p)"
  printf '\n// version %s\n' "$n" >> "$first"
  echo "$folder"
}
night() { # SIDE NAME RULES_FOLDER [full]
  find "$OUT/corpus" -type f -print0 | xargs -0 cat > /dev/null
  local load line
  load="$(cut -d' ' -f1 /proc/loadavg)"
  line="$(TRAWL_SERVE_URL="${URL[$1]}" TRAWL_KEY_FILE="$OUT/service-$1/admin.key" \
    "$LIB/service_night.sh" "${PID[$1]}" "$2" "$OUT/corpus" "$3" "${4:-false}")"
  echo "$line load=$load side=$1" | tee -a "$OUT/service-nights.txt" >&2
  grep -q 'status=COMPLETED' <<<"$line" || { echo "gate_service: $2 did not complete" >&2; exit 2; }
}

start base "$BASE"
start new "$NEW"
for side in base new; do night "$side" "night1-$side" "$(rules r1)" true; done
for round in $(seq 1 "$ROUNDS"); do
  for flavour in $FLAVOURS; do
    for side in base new; do night "$side" "undo-$flavour-$side-$round" "$(rules r1)"; done
    for side in base new; do night "$side" "night2-$flavour-$side-$round" "$(rules "$flavour")"; done
  done
done
uptime >&2
grep -ho 'in job execution [0-9]*: [0-9]* contents scanned ([0-9]* bytes), [0-9]* skipped' "$OUT/service-new/"trawl*.log \
  > "$OUT/service-new-deltas.txt" || true
python3 - "$OUT/service-nights.txt" <<'PY'
import re, statistics, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) | {"name": line.split()[0]} for line in open(sys.argv[1])]
for flavour in ("r2", "r2-rl"):
    if not any(r["name"].startswith(f"night2-{flavour}-base-") for r in rows):
        continue
    med = {}
    for side in ("base", "new"):
        rs = [r for r in rows if r["name"].startswith(f"night2-{flavour}-{side}-")]
        net = [float(r["cpu"]) - float(r["http"]) for r in rs]
        med[side] = statistics.median(net)
        print(f"{flavour}\t{side}\twall {statistics.median(float(r['wall']) for r in rs):.2f}\t"
              f"CPU-http {med[side]:.2f} ({', '.join(f'{x:.2f}' for x in net)})\tload {', '.join(r['load'] for r in rs)}")
    print(f"{flavour}\tbase/new CPU {med['base'] / med['new']:.2f}x")
PY
