#!/usr/bin/env bash
# Java ssdeep (worker's Ssdeep) against libfuzzy 2.14 through JNA, on the same in-memory real files, in one run.
# Usage: bench/ssdeep-vs-libfuzzy.sh [MB, default 200] [rounds, default 5] [folder...]
# Needs libfuzzy2 libfuzzy-dev (the test-only oracle). Builds the worker's test classes; runs nothing in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl worker test-compile
cp_file=worker/target/bench-classpath.txt
./mvnw -B -q -pl worker dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
exec java -Xmx1g -XX:MaxDirectMemorySize=1g \
  -cp "worker/target/test-classes:worker/target/classes:$(cat "$cp_file")" \
  io.trawl.worker.analysis.fuzzy.SsdeepBenchmark "$@"
