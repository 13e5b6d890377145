#!/usr/bin/env bash
# Interleaved A/B rescans: each round runs every variant once, in turn (A B C A B C ...), after a warm-up read of the
# corpus, each into a fresh data folder, under /usr/bin/time (wall, user+system CPU of the whole process tree) and
# proc_cpu.py (CPU by process role and thread group). Prints medians per variant, with the load average. See
# bench/README.md ("After the third cuts").
#
#   bench/lib/ab.sh --corpus DIR [--rules PATH] [--rounds 3] [--out DIR] [--args 'more rescan args']
#                   [--data DIR] VARIANT...
#
# --data DIR: each run starts from a copy of that data folder (one with earlier nights of the corpus), so the runs
# are incremental nights (nothing changed, if the corpus and rules are those of its last night), not first ones.
#
# A VARIANT is NAME|TRAWL_HOME[|VAR=value]...: a name for the table, the checkout whose ./trawl runs (built
# beforehand; it runs with TRAWL_NO_BUILD=1), and environment settings for that variant (values may hold spaces,
# not '|'). Example: 'base|/tmp/trawl-base' 'serial|.|TRAWL_JAVA_OPTS=-XX:+UseSerialGC'.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPUS=""
RULES="$BENCH/rules/light"
ROUNDS=3
OUT="/tmp/trawl-ab-$(date +%Y%m%d-%H%M%S)"
EXTRA=""
DATA=""
VARIANTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --args) EXTRA="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) VARIANTS+=("$1"); shift ;;
  esac
done
[ -d "$CORPUS" ] || { echo "ab: --corpus DIR is required" >&2; exit 2; }
[ "${#VARIANTS[@]}" -gt 0 ] || { echo "ab: name at least one VARIANT (see --help)" >&2; exit 2; }
RULES="$(cd "$(dirname "$RULES")" && pwd)/$(basename "$RULES")"
mkdir -p "$OUT"
printf 'variant\tround\twall\tcpu\tload\n' > "$OUT/runs.tsv"

for round in $(seq 1 "$ROUNDS"); do
  for spec in "${VARIANTS[@]}"; do
    IFS='|' read -r -a parts <<<"$spec"
    name="${parts[0]}"
    home="$(cd "${parts[1]}" && pwd)"
    settings=("${parts[@]:2}")
    data="$OUT/data-$name-$round"
    if [ -n "$DATA" ]; then rm -rf "$data"; cp -a "$DATA" "$data"; fi
    find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null
    load="$(cut -d' ' -f1 /proc/loadavg)"
    # shellcheck disable=SC2086 # EXTRA is a list of arguments
    env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" "${settings[@]}" python3 "$BENCH/lib/proc_cpu.py" \
      "$OUT/$name-$round.cpu.tsv" /usr/bin/time -f '%e %U %S' -o "$OUT/$name-$round.time" \
      "$home/trawl" rescan --source "$CORPUS" --rules "$RULES" $EXTRA > "$OUT/$name-$round.out" \
      2> "$OUT/$name-$round.err" || { echo "ab: $name round $round failed; see $OUT/$name-$round.err" >&2; exit 2; }
    read -r wall user sys < "$OUT/$name-$round.time"
    cpu="$(python3 -c "print(round($user + $sys, 2))")"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$wall" "$cpu" "$load" >> "$OUT/runs.tsv"
    echo "ab: round $round $name: ${wall}s wall, ${cpu} CPU s, load $load" >&2
    rm -rf "$data"
  done
done

python3 - "$OUT" <<'EOF'
import collections, csv, glob, os, statistics, sys
out = sys.argv[1]
runs = list(csv.DictReader(open(os.path.join(out, "runs.tsv")), delimiter="\t"))
names = list(dict.fromkeys(r["variant"] for r in runs))
groups = collections.defaultdict(list)
for path in glob.glob(os.path.join(out, "*.cpu.tsv")):
    name = os.path.basename(path).rsplit("-", 1)[0]
    parts = collections.Counter()
    for line in open(path):
        role, group, seconds, _ = line.rstrip("\n").split("\t")
        key = role + " " + group if role == "trawl" else role
        parts[key] += float(seconds)
    groups[name].append(parts)
keys = sorted({k for v in groups.values() for p in v for k in p if max(p[k] for p in v) >= 0.05})
print("variant\truns\twall s (median)\tCPU s (median)\tCPU s (min-max)\tload\t" + "\t".join(keys))
for name in names:
    rs = [r for r in runs if r["variant"] == name]
    cpu = [float(r["cpu"]) for r in rs]
    wall = [float(r["wall"]) for r in rs]
    load = [float(r["load"]) for r in rs]
    cols = [str(round(statistics.median([p[k] for p in groups[name]]), 2)) for k in keys]
    print(f"{name}\t{len(rs)}\t{statistics.median(wall):.2f}\t{statistics.median(cpu):.2f}\t"
          f"{min(cpu):.2f}-{max(cpu):.2f}\t{min(load):.1f}-{max(load):.1f}\t" + "\t".join(cols))
EOF
