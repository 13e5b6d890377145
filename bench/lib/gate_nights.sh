#!/usr/bin/env bash
# Night 2 of an incremental rescan (rules changed, files not), cold, for a base and a new Trawl, interleaved: the rule
# gate of the delta scan (issue 14, session 12). Run by bench/rule-delta.sh --nights; see bench/README.md.
#
#   bench/lib/gate_nights.sh --corpus DIR --base TRAWL_HOME [--new TRAWL_HOME (.)] [--rules DIR] [--rounds 3] [--out DIR]
#
# The corpus is copied once (both sides rescan the same files, same identities). The rules: R1 and R2 as
# bench/lib/rule_nights.py writes them (two rules added and one changed, each or'ed with a condition on PE, script
# or ELF files), and R2-rl: R1 with the two rules added back as published and another rule changed (its condition
# wrapped in "(...) and filesize >= 0"), so every rule of its delta starts with uint16(0) == 0x5A4D. Night 1 is a
# --full rescan with R1, once per side (so the new side's results carry fileType.magic). Then each round runs, per
# ruleset, base and new in turn, each on a copy of its night-1 data folder, under /usr/bin/time (wall, CPU of the
# process tree) with the load average; the new side's log gives the contents the delta scanned (and their bytes) and
# skipped. Each night's results (sha256, verdict, YARA hits) are compared between the sides.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPUS="" BASE="" NEW="$(cd "$BENCH/.." && pwd)" RULES="$BENCH/../../shared/rules/reversinglabs" ROUNDS=3
OUT="/tmp/trawl-gate-nights-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --base) BASE="$2"; shift 2 ;;
    --new) NEW="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "gate_nights: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
done
[ -d "$CORPUS" ] || { echo "gate_nights: --corpus DIR is required" >&2; exit 2; }
[ -x "$BASE/trawl" ] || { echo "gate_nights: --base must be a built Trawl checkout" >&2; exit 2; }
mkdir -p "$OUT"
cp -a "$CORPUS" "$OUT/corpus"
python3 "$BENCH/lib/rule_nights.py" "$RULES" "$OUT/rules" > "$OUT/rules.txt"
python3 - "$RULES" "$OUT/rules" <<'PY'
import os, re, shutil, sys
rules, out = sys.argv[1], sys.argv[2]
added = [line.split(" ", 1)[1] for line in open(os.path.join(out, "..", "rules.txt")) if line.startswith("added")]
changed = [line.split(" ", 1)[1] for line in open(os.path.join(out, "..", "rules.txt")) if line.startswith("changed")]
shutil.copytree(os.path.join(out, "r1"), os.path.join(out, "r2-rl"))
for f in added:
    shutil.copy(os.path.join(rules, f.strip()), os.path.join(out, "r2-rl", f.strip()))
files = sorted(os.path.relpath(os.path.join(d, n), os.path.join(out, "r1")) for d, _, ns in os.walk(os.path.join(out, "r1"))
               for n in ns if n.endswith((".yar", ".yara")))
single = [f for f in files if f not in changed and len(re.findall(r"^\s*rule\s", open(os.path.join(out, "r1", f)).read(), re.M)) == 1]
target = os.path.join(out, "r2-rl", single[len(single) // 3])
text = open(target).read()
at = text.index("condition:") + len("condition:")
end = text.rindex("}")
open(target, "w").write(f"{text[:at]}\n        ({text[at:end].strip()}) and filesize >= 0\n{text[end:]}")
print(f"r2-rl: added {', '.join(a.strip() for a in added)}; changed {single[len(single) // 3]}")
PY

rescan() { # SIDE HOME DATA RULES NAME [--full]: a timed rescan; appends a row to runs.tsv
  local side=$1 home=$2 data=$3 rules=$4 name=$5; shift 5
  find "$OUT/corpus" -type f -print0 | xargs -0 cat > /dev/null
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" /usr/bin/time -f '%e %U %S' -o "$OUT/$name.time" \
    "$home/trawl" rescan --source "$OUT/corpus" --rules "$rules" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" \
    || { echo "gate_nights: $name failed; see $OUT/$name.err" >&2; exit 2; }
  local wall user sys
  read -r wall user sys < "$OUT/$name.time"
  local counts
  counts="$(grep -ho 'in job execution [0-9]*: [0-9]* contents scanned ([0-9]* bytes), [0-9]* skipped' "$data/trawl.log" \
    | tail -1 | sed -E 's/.*: ([0-9]+) contents scanned \(([0-9]+) bytes\), ([0-9]+) skipped/\1\t\2\t\3/')" || true
  [ -n "$counts" ] || counts="-	-	-"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$side" "$wall" "$(python3 -c "print(round($user + $sys, 2))")" "$load" \
    "$counts" >> "$OUT/runs.tsv"
  echo "gate_nights: $name ${wall}s wall, CPU $(python3 -c "print(round($user + $sys, 2))") s, load $load, delta $counts" >&2
}

hits() { # HOME DATA NAME: sha256, verdict and YARA hits of the job the run NAME printed, sorted
  local home=$1 data=$2 job
  job="$(tail -1 "$OUT/$3.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["jobExecutionId"])')"
  env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" "$home/trawl" results --job "$job" --format jsonl 2>/dev/null \
    | python3 -c 'import json, sys
rows = sorted((r["sha256"], r.get("verdict"), " ".join(sorted(r.get("yara") or []))) for r in map(json.loads, sys.stdin))
print(len(rows)); [print(*row) for row in rows]'
}

printf 'name\tside\twall\tcpu\tload\tscanned\tscannedBytes\tskipped\n' > "$OUT/runs.tsv"
for side in base new; do
  home="$BASE"; [ "$side" = new ] && home="$NEW"
  rescan "$side" "$home" "$OUT/night1-$side" "$OUT/rules/r1" "night1-$side" --full
done
for round in $(seq 1 "$ROUNDS"); do
  for rules in r2 r2-rl; do
    for side in base new; do
      home="$BASE"; [ "$side" = new ] && home="$NEW"
      data="$OUT/data-$rules-$side"
      rm -rf "$data"; cp -a "$OUT/night1-$side" "$data"
      rescan "$side" "$home" "$data" "$OUT/rules/$rules" "night2-$rules-$side-$round"
      if [ "$round" = 1 ]; then hits "$home" "$data" "night2-$rules-$side-$round" > "$OUT/hits-$rules-$side.txt"; fi
    done
    if [ "$round" = 1 ]; then
      if cmp -s "$OUT/hits-$rules-base.txt" "$OUT/hits-$rules-new.txt"; then
        echo "gate_nights: $rules: base and new agree on every sample ($(head -1 "$OUT/hits-$rules-new.txt") results)" >&2
      else
        echo "gate_nights: $rules: base and new DIFFER; see $OUT/hits-$rules-*.txt" >&2
      fi
    fi
  done
done
uptime >&2
python3 - "$OUT/runs.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("night\tside\tn\twall s (median)\tCPU s (median)\tCPU s (each)\tload (each)\tdelta scanned\tbytes\tskipped")
for rules in ("r2", "r2-rl"):
    med = {}
    for side in ("base", "new"):
        rs = [r for r in rows if r["name"].startswith(f"night2-{rules}-{side}-")]
        cpu = [float(r["cpu"]) for r in rs]
        med[side] = statistics.median(cpu)
        print(f"{rules}\t{side}\t{len(rs)}\t{statistics.median(float(r['wall']) for r in rs):.2f}\t{med[side]:.2f}\t"
              f"{', '.join(r['cpu'] for r in rs)}\t{', '.join(r['load'] for r in rs)}\t{rs[-1]['scanned']}\t"
              f"{rs[-1]['scannedBytes']}\t{rs[-1]['skipped']}")
    print(f"{rules}\tbase/new CPU\t\t\t{med['base'] / med['new']:.2f}x")
PY
