#!/usr/bin/env bash
# Interleaved A/B nights in running services: one `./trawl serve` per variant, each on its own copy of the same data
# folder (one with earlier nights of the corpus), and the same night launched over the API on each in turn (A B A B
# ...) with bench/lib/service_night.sh, after --warm warm-up nights each. Prints every night and the medians per
# variant of wall, CPU of the service's tree, and that CPU less its HTTP threads (the script's own status polls).
#
#   bench/lib/service_ab.sh --corpus DIR --rules PATH --data DIR [--rounds 5] [--warm 2] [--full false]
#                           [--out DIR] VARIANT...
#
# A VARIANT is NAME|TRAWL_HOME[|SERVE ARGS] (built beforehand; it runs with TRAWL_NO_BUILD=1; the arguments, such as
# --trawl.analysis.incremental-chunk-size=1000, are added to `serve`'s). The corpus's parent folder is the
# services' allowed source. With the corpus and rules of the data folder's last night, every night is a
# nothing-changed one.
set -euo pipefail
# shellcheck disable=SC2086 # a variant's serve arguments are a list

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORPUS=""; RULES=""; DATA=""; ROUNDS=5; WARM=2; FULL=false
OUT="/tmp/trawl-service-ab-$(date +%Y%m%d-%H%M%S)"
VARIANTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warm) WARM="$2"; shift 2 ;;
    --full) FULL="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) VARIANTS+=("$1"); shift ;;
  esac
done
[ -d "$CORPUS" ] && [ -e "$RULES" ] && [ -d "$DATA" ] || {
  echo "service_ab: --corpus DIR, --rules PATH and --data DIR are required (see --help)" >&2; exit 2; }
[ "${#VARIANTS[@]}" -gt 0 ] || { echo "service_ab: name at least one VARIANT (see --help)" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"
mkdir -p "$OUT"
declare -A PID URL
names=()
cleanup() { for n in "${names[@]}"; do kill -TERM -- "-${PID[$n]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for spec in "${VARIANTS[@]}"; do
  IFS='|' read -r name home args <<<"$spec"
  names+=("$name")
  rm -rf "$OUT/data-$name"; cp -a "$DATA" "$OUT/data-$name"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  setsid env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$OUT/data-$name" TRAWL_PORT="$port" \
    TRAWL_SOURCES_ALLOWED="$(dirname "$CORPUS")" "$home/trawl" serve ${args:-} > "$OUT/service-$name.log" 2>&1 < /dev/null &
  PID[$name]=$!
  URL[$name]="http://127.0.0.1:$port"
done
for name in "${names[@]}"; do
  for _ in $(seq 1 480); do curl -sf "${URL[$name]}/actuator/health/readiness" > /dev/null 2>&1 && break; sleep 0.5; done
done
night() { # night VARIANT LABEL
  local line
  line=$(TRAWL_SERVE_URL="${URL[$1]}" TRAWL_KEY_FILE="$OUT/data-$1/admin.key" \
    "$LIB/service_night.sh" "${PID[$1]}" "$1-$2" "$CORPUS" "$RULES" "$FULL")
  echo "$line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/nights.txt" >&2
}
for k in $(seq 1 "$WARM"); do for name in "${names[@]}"; do night "$name" "warm$k"; done; done
for r in $(seq 1 "$ROUNDS"); do for name in "${names[@]}"; do night "$name" "r$r"; done; done
python3 - "$OUT/nights.txt" "${names[@]}" <<'EOF'
import re, statistics, sys
rows = [dict(kv.split("=", 1) for kv in line.split()[1:]) | {"name": line.split()[0]}
        for line in open(sys.argv[1]) if "=" in line]
print("variant\tnights\tstatus\twall s\tCPU s\tCPU s less http\tCPU s (all)\tload")
for v in sys.argv[2:]:
    rs = [r for r in rows if re.fullmatch(re.escape(v) + r"-r\d+", r["name"])]
    cpu = [float(r["cpu"]) for r in rs]
    less = [float(r["cpu"]) - float(r["http"]) for r in rs]
    wall = [float(r["wall"]) for r in rs]
    load = [float(r["load"]) for r in rs]
    status = ",".join(sorted({r["status"] for r in rs}))
    print(f"{v}\t{len(rs)}\t{status}\t{statistics.median(wall):.2f}\t{statistics.median(cpu):.2f}\t"
          f"{statistics.median(less):.2f}\t{' '.join(f'{c:.2f}' for c in cpu)}\t{min(load):.1f}-{max(load):.1f}")
EOF
uptime
