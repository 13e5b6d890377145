#!/usr/bin/env bash
# Peak memory of a rescan over hostile input (zip bombs, deep nesting, path traversal, corrupt archives, truncated
# and lying PE/ELF headers, an empty file, random bytes, a 1 GiB sparse file), with the heap capped at -Xmx512m.
# See bench/README.md for how memory is measured.
#
#   bench/hostile-memory.sh [--work DIR] [--xmx 512m] [--rules PATH]
#
# Exits 1 when the rescan does not complete.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
WORK=/tmp/trawl-hostile
XMX=512m
RULES="$TRAWL_HOME/config/rules"
while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --xmx) XMX="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hostile-memory: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2
  else
    echo "hostile-memory: /usr/bin/time is missing; install it with: sudo apt-get install -y time" >&2; exit 2
  fi
fi
command -v python3 >/dev/null || { echo "hostile-memory: python3 is missing" >&2; exit 2; }

CORPUS="$WORK/corpus"
RUN="$WORK/run-$(date +%Y%m%d-%H%M%S)"
rm -rf "$CORPUS"
mkdir -p "$CORPUS" "$RUN"
echo "hostile-memory: building the corpus in $CORPUS" >&2
python3 "$BENCH/lib/make_hostile.py" "$CORPUS"
ls -ls "$CORPUS" > "$RUN/corpus.txt"

# the jar is built before anything is measured
TRAWL_DATA_DIR="$RUN/build-data" "$TRAWL_HOME/trawl" status >/dev/null 2>"$RUN/build.log" || {
  echo "hostile-memory: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }

# /usr/bin/time -v gives the peak RSS (VmHWM) of the java process (the largest of time's descendants: ./trawl runs
# java as its child).
# A sampler reads /proc/PID/status every 100 ms for the split: anonymous memory (heap, direct buffers, native
# allocations) against file pages mapped from the samples, which the kernel can drop at will.
export TRAWL_DATA_DIR="$RUN/data"
export TRAWL_JAVA_OPTS="-Xmx$XMX ${TRAWL_JAVA_OPTS:-}"
set +e
/usr/bin/time -v -o "$RUN/time.txt" "$TRAWL_HOME/trawl" rescan --source "$CORPUS" --rules "$RULES" \
  > "$RUN/rescan.out" 2> "$RUN/rescan.err" &
TIME_PID=$!
python3 - "$TIME_PID" > "$RUN/rss.txt" <<'EOF' &
import os, sys, time
parent = sys.argv[1]
peak = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0, "VmSwap": 0}
pid = None
while os.path.exists(f"/proc/{parent}"):
    if pid is None:
        # time runs the launcher, which runs java as its child: follow the first children down to java
        at = parent
        try:
            while at and pid is None:
                with open(f"/proc/{at}/task/{at}/children") as f:
                    kids = f.read().split()
                at = kids[0] if kids else None
                if at and open(f"/proc/{at}/comm").read().strip() == "java":
                    pid = at
        except OSError:
            pass
    if pid:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in peak:
                        peak[key] = max(peak[key], int(value.split()[0]))
        except OSError:
            pass
    time.sleep(0.1)
for key, kib in peak.items():
    print(f"{key}\t{kib}")
EOF
SAMPLER_PID=$!
wait "$TIME_PID"
STATUS=$?
wait "$SAMPLER_PID"
set -e

SUMMARY="$(tail -1 "$RUN/rescan.out")"
PEAK_KB="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RUN/time.txt")"
WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$RUN/time.txt")"
python3 - "$SUMMARY" "$PEAK_KB" "$RUN/rss.txt" "$XMX" "$STATUS" "$WALL" "$RUN/corpus.txt" <<'EOF'
import json, sys
summary_line, peak_kb, rss_file, xmx, exit_code, wall, corpus = sys.argv[1:]
try:
    summary = json.loads(summary_line)
except ValueError:
    summary = {"status": "NO SUMMARY", "line": summary_line}
rss = dict(line.split("\t") for line in open(rss_file).read().split("\n") if line)
print()
print(f"hostile corpus: {sum(1 for l in open(corpus) if not l.startswith('total'))} files "
      "(1 GiB sparse file, 1 GiB zip bomb, 5000-member zip, 20-deep nested zip, traversal, corrupt, truncated PE/ELF, empty, random)")
print(f"java heap cap:  -Xmx{xmx}")
print(f"job:            status {summary.get('status')}, samples {summary.get('samples')}, files {summary.get('files')}, "
      f"errors {summary.get('errors')}, {summary.get('seconds')} s in the job, {wall} wall; ./trawl exit code {exit_code}")
print(f"peak RSS:       {int(peak_kb) / 1024:.0f} MiB (VmHWM from /usr/bin/time -v)")
print(f"sampled peaks:  anonymous {int(rss.get('RssAnon', 0)) / 1024:.0f} MiB (heap, direct buffers, native), "
      f"file-backed {int(rss.get('RssFile', 0)) / 1024:.0f} MiB (mapped sample and jar pages; reclaimable), "
      f"swap {int(rss.get('VmSwap', 0)) / 1024:.0f} MiB")
sys.exit(0 if summary.get("status") == "COMPLETED" and exit_code == "0" else 1)
EOF
