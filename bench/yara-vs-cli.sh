#!/usr/bin/env bash
# YARA alone: the yara CLI against Trawl's YaraRules in one JVM and in one native host, over the same files with the
# same rules, interleaved (CLI, JVM, host, CLI, JVM, host ...), CPU seconds (user + system) of each. See bench/README.md
# ("YARA against the CLI, session 10").
#
#   bench/yara-vs-cli.sh --corpus DIR [--rules PATH] [--rounds 3] [--threads 1]
#
# The CLI runs `yara -e -w -p THREADS -d filename= ... -r`, as store-shape.sh does, under /usr/bin/time (whole run:
# start-up, rule compilation and every scan). The JVM side is YaraVsCliBench (worker test sources): its second pass's
# process CPU, so start-up and compilation are out of it. The host side is YaraHostBench: one native host's CPU for
# its second pass (requests, libyara mapping each file, the scan, answers), from /proc; and the host's start-up
# to `ready`, on its own line. Builds the worker's test classes first.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
CORPUS=""
RULES="$BENCH/rules/light"
ROUNDS=3
THREADS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "yara-vs-cli: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -d "$CORPUS" ] || { echo "yara-vs-cli: --corpus DIR is required" >&2; exit 2; }
command -v yara >/dev/null || { echo "yara-vs-cli: the yara CLI is missing (apt-get install -y yara)" >&2; exit 2; }

cd "$ROOT"
./mvnw -B -q -pl worker -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null
CP="worker/target/classes:worker/target/test-classes:$(cat worker/target/cp.txt)"
mapfile -t RULE_FILES < <(if [ -d "$RULES" ]; then find "$RULES" -name '*.yar' -o -name '*.yara' | sort; else echo "$RULES"; fi)
YARA_RULES=()
for f in "${RULE_FILES[@]}"; do
  rel="${f#"$RULES"/}"
  [ -d "$RULES" ] && YARA_RULES+=("${rel%.yar*}:$f") || YARA_RULES+=("$f")
done
OUT="$(mktemp -d /tmp/yara-vs-cli-XXXXXX)"
echo "yara-vs-cli: $CORPUS, $RULES, $THREADS thread(s), $ROUNDS rounds; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$ROUNDS"); do
  find "$CORPUS" -type f -print0 | xargs -0 cat > /dev/null
  load="$(cut -d' ' -f1 /proc/loadavg)"
  /usr/bin/time -f '%U %S' -o "$OUT/cli.time" yara -e -w -p "$THREADS" -d filename= -d filepath= -d extension= \
    -d filetype= -r "${YARA_RULES[@]}" "$CORPUS" > "$OUT/cli.txt"
  cli="$(awk '{print $1 + $2}' "$OUT/cli.time")"
  java --enable-native-access=ALL-UNNAMED -cp "$CP" io.trawl.worker.bench.YaraVsCliBench "$CORPUS" "$RULES" \
    "$THREADS" 2 > "$OUT/jvm.txt"
  jvm="$(sed -n 's/^pass 1: .*process CPU \([0-9.]*\) s.*/\1/p' "$OUT/jvm.txt")"
  host=-; ready=-
  if [ "$THREADS" = 1 ]; then
    java -cp "$CP" io.trawl.worker.isolation.YaraHostBench "$CORPUS" "$RULES" 2 > "$OUT/host.txt"
    host="$(sed -n 's/^pass 1: .*host CPU \([0-9.]*\) s.*/\1/p' "$OUT/host.txt")"
    ready="$(sed -n 's/.*host ready.*: \([0-9.]*\) CPU s.*/\1/p' "$OUT/host.txt")"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$load" "$cli" "$jvm" "$host" "$ready" \
    "$(wc -l < "$OUT/cli.txt")/$(grep -o '[0-9]* matches' "$OUT/jvm.txt" | tail -1)" | tee -a "$OUT/runs.tsv" >&2
done
python3 - "$OUT/runs.tsv" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def med(i):
    values = [float(r[i]) for r in rows if r[i] != "-"]
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})" if values else "-"
print("CPU s, median (range) of", len(rows), "rounds; load", ", ".join(r[1] for r in rows))
print("yara CLI, whole run          ", med(2))
print("YaraRules in one JVM, a pass ", med(3))
print("one native host, a pass      ", med(4))
print("native host start to ready   ", med(5))
EOF
