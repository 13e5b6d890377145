# Sourced by the bench scripts: what each of them sets up the same way before it times anything.
# BENCH and TRAWL_HOME must be set by the script that sources this.

# The ReversingLabs rule set (MIT), not shipped with Trawl: a shared/rules checkout beside this repository, or
# TRAWL_BENCH_HEAVY_RULES.
HEAVY_RULES="${TRAWL_BENCH_HEAVY_RULES:-$(dirname "$TRAWL_HOME")/shared/rules/reversinglabs}"

# prepare_run NAME GENERATOR: makes RULES absolute, writes the corpus with bench/lib/GENERATOR when no --corpus was
# given (CORPUS_NAME names it under WORK), and makes RUN, the run's output folder, with the sorted file list
# (files0, NUL-separated so that no name is mangled) and the sizes (sizes.tsv). Sets YARA_RULES (yara_rule_args).
prepare_run() {
  local name="$1" generator="$2"
  RULES="$(cd "$(dirname "$RULES")" && pwd)/$(basename "$RULES")"
  mkdir -p "$WORK"
  if [ -z "$CORPUS" ]; then
    CORPUS="$WORK/$CORPUS_NAME"
    python3 "$BENCH/lib/$generator" "$CORPUS" --size-mb "$SIZE_MB" --seed "$SEED"
  fi
  CORPUS="$(cd "$CORPUS" && pwd)"
  RUN="$WORK/run-$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$RUN"
  echo "$name: corpus $CORPUS, rules $RULES, output in $RUN" >&2
  list_files
  yara_rule_args "$RULES"
}

# list_files: RUN/files0 and RUN/sizes.tsv for CORPUS as it is now.
list_files() {
  (cd / && find "$CORPUS" -type f -print0 | sort -z) > "$RUN/files0"
  find "$CORPUS" -type f -printf '%s\t%p\n' | sort -k2 > "$RUN/sizes.tsv"
}

# yara_rule_args PATH: YARA_RULES, the yara CLI's rule arguments for a rule file or folder: each rule file in its
# own namespace, named by its path under the rules root, as Trawl compiles them.
yara_rule_args() {
  local rules="$1" f ns
  YARA_RULES=()
  if [ -d "$rules" ]; then
    while IFS= read -r -d '' f; do
      ns="${f#"$rules"/}"; ns="${ns%.yar}"; ns="${ns%.yara}"
      YARA_RULES+=("$ns:$f")
    done < <(find "$rules" -type f \( -name '*.yar' -o -name '*.yara' \) -print0 | sort -z)
  else
    ns="$(basename "$rules")"; ns="${ns%.yar}"; ns="${ns%.yara}"
    YARA_RULES+=("$ns:$rules")
  fi
}

# The yara CLI as the benches run it: namespaces printed, no warnings, Trawl's externals defined (empty).
YARA_CLI=(yara -e -w -d filename= -d filepath= -d extension= -d filetype=)

# warm: reads every file of RUN/files0 once, so that each timed side starts from the same page cache.
warm() { xargs -0 cat < "$RUN/files0" > /dev/null; }

# timed NAME OUTFILE command...: runs it under /usr/bin/time and appends NAME, wall seconds and CPU seconds (user +
# system, children included) to RUN/times.tsv; when it fails, says so with its last lines and ends the script.
# BENCH_NAME prefixes the messages.
timed() {
  local name="$1" out="$2" wall user sys cpu; shift 2
  /usr/bin/time -f '%e %U %S' -o "$RUN/$name.time" "$@" > "$out" 2>"$RUN/$name.err" || {
    echo "$BENCH_NAME: $name failed:" >&2; tail -5 "$RUN/$name.err" >&2; exit 2; }
  read -r wall user sys < "$RUN/$name.time"
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  printf '%s\t%s\t%s\n' "$name" "$wall" "$cpu" >> "$RUN/times.tsv"
  echo "$BENCH_NAME: $name ${wall}s wall, $cpu CPU s" >&2
}
