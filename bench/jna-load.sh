#!/usr/bin/env bash
# What JNA's `ldconfig -p` costs a JVM that loads libyara (session 11, bench/README.md): a small program loads libyara
# through JNA and calls yr_initialize, with JNA's default folder search (which runs ldconfig) and with
# jna.platform.library.path set as Trawl sets it (LibraryFolders), alternated, under /usr/bin/time. Prints medians of
# CPU s (user + system) and wall s, and the per-round differences. Uses the built app's JNA and the java ./trawl runs.
#
#   bench/jna-load.sh [--rounds 12]
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROUNDS=12
[ "${1:-}" = --rounds ] && ROUNDS="$2"
JNA="$(ls "$BENCH"/../jobs/target/trawl-app/lib/jna-*.jar 2>/dev/null | head -1)"
[ -n "$JNA" ] || { echo "jna-load: build the app first (./trawl status)" >&2; exit 2; }
JAVA_HOME="${TRAWL_JAVA:+$(dirname "$(dirname "$(readlink -f "$TRAWL_JAVA")")")}"
JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/Load.java" <<'JAVA'
import com.sun.jna.Library;
import com.sun.jna.Native;

public class Load {
	public interface Yara extends Library {
		int yr_initialize();
	}

	public static void main(String[] args) {
		System.exit(Native.load("yara", Yara.class).yr_initialize());
	}
}
JAVA
"$JAVA_HOME/bin/javac" -cp "$JNA" -d "$WORK" "$WORK/Load.java"
arch="$(uname -m)-linux-gnu"
folders=""
for d in "/usr/lib/$arch" "/lib/$arch" /usr/lib64 /lib64 /usr/lib /lib; do [ -d "$d" ] && folders="$folders${folders:+:}$d"; done
for round in $(seq 1 "$ROUNDS"); do
  for variant in ldconfig folders; do
    opt=()
    [ "$variant" = folders ] && opt=("-Djna.platform.library.path=$folders")
    /usr/bin/time -f "$variant %e %U %S" -a -o "$WORK/times" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
      "${opt[@]}" -cp "$JNA:$WORK" Load
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
cpu = {v: [float(r[2]) + float(r[3]) for r in rows if r[0] == v] for v in ("ldconfig", "folders")}
wall = {v: [float(r[1]) for r in rows if r[0] == v] for v in ("ldconfig", "folders")}
for v in cpu:
    print(f"{v:9} CPU s median {statistics.median(cpu[v]):.3f} ({min(cpu[v]):.2f}-{max(cpu[v]):.2f}), "
          f"wall s median {statistics.median(wall[v]):.3f}")
d = [a - b for a, b in zip(cpu["ldconfig"], cpu["folders"])]
w = [a - b for a, b in zip(wall["ldconfig"], wall["folders"])]
print(f"saved per JVM: CPU s median {statistics.median(d):.3f} (lower in {sum(x > 0 for x in d)} of {len(d)} rounds), "
      f"wall s median {statistics.median(w):.3f} (lower in {sum(x > 0 for x in w)} of {len(w)})")
PY
