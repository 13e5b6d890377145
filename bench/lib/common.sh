# Sourced by the bench scripts: what each of them sets up the same way before it times anything.
# BENCH and TRAWL_HOME must be set by the script that sources this.

# The ReversingLabs rule set (MIT), not shipped with Trawl: a shared/rules checkout beside this repository, or
# TRAWL_BENCH_HEAVY_RULES.
HEAVY_RULES="${TRAWL_BENCH_HEAVY_RULES:-$(dirname "$TRAWL_HOME")/shared/rules/reversinglabs}"

# prepare_run NAME GENERATOR: makes RULES absolute, writes the corpus with bench/lib/GENERATOR when no --corpus was
# given (CORPUS_NAME names it under WORK), and makes RUN, the run's output folder, with the sorted file list
# (files0, NUL-separated so that no name is mangled) and the sizes (sizes.tsv). Sets YARA_RULES: each rule file in
# its own namespace, named by its path under the rules root, as Trawl compiles them.
prepare_run() {
  local name="$1" generator="$2" f ns
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
  (cd / && find "$CORPUS" -type f -print0 | sort -z) > "$RUN/files0"
  find "$CORPUS" -type f -printf '%s\t%p\n' | sort -k2 > "$RUN/sizes.tsv"
  YARA_RULES=()
  if [ -d "$RULES" ]; then
    while IFS= read -r -d '' f; do
      ns="${f#"$RULES"/}"; ns="${ns%.yar}"; ns="${ns%.yara}"
      YARA_RULES+=("$ns:$f")
    done < <(find "$RULES" -type f \( -name '*.yar' -o -name '*.yara' \) -print0 | sort -z)
  else
    ns="$(basename "$RULES")"; ns="${ns%.yar}"; ns="${ns%.yara}"
    YARA_RULES+=("$ns:$RULES")
  fi
}
