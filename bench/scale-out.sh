#!/usr/bin/env bash
# Issue 15's scaling benchmark: one store-shaped corpus, rescanned in the same run
#   embedded  ./trawl rescan of the corpus in a local folder (H2, local partitions: the single-process figure);
#   1 worker  the corpus in aws-local's S3, a manager (./trawl serve --role manager) and one ./trawl worker,
#             PostgreSQL as the shared job repository, events and query tables in dynalite;
#   2 workers the same with two workers (--workers picks the counts).
# Sides alternate (embedded, 1, 2, embedded, 1, 2, ...) --repeat times. The workers start before each job and stop
# after it; the manager and the emulators stay up. Prints samples/s, MB/s and CPU seconds per side, the ratio
# against 1 worker, each worker's and the manager's CPU, and the emulators' (which stand in for AWS: not Trawl's).
# Each cluster job must COMPLETE with one result event per sample and the embedded job's sample count (exit 1).
#
#   bench/scale-out.sh [--size-mb 300 | --corpus DIR] [--seed 1] [--rules DIR (bench/rules/light)] [--repeat 2]
#                      [--workers 1,2] [--threads 1] [--grid-size 8] [--work /tmp/trawl-bench-scale] [--keep]
#
# --threads is the partitions one worker runs at once (TRAWL_THREADS): 1 makes a worker one core's worth, so that
# on a 2-core machine two workers have a second core to gain. This machine has 2 cores, shared: two workers on it
# cannot double anything, and the manager and the emulators take CPU from them. The per-worker CPU per sample and
# the manager's overhead are the figures that carry over to a fleet (bench/cost-model.mjs --night).
# PostgreSQL must run on 127.0.0.1:5432 (as root the script starts it with pg_ctlcluster and creates the role and
# database trawl_scale, dropped and created again at each run). Everything stays in WORK/run-<time>/ (--keep keeps
# the data folders, removed otherwise).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAWL_HOME="$(dirname "$BENCH")"
BENCH_NAME=scale-out
. "$BENCH/lib/common.sh"
CORPUS=""
SIZE_MB=300
SEED=1
RULES="$BENCH/rules/light"
REPEAT=2
WORKER_COUNTS=1,2
THREADS=1
GRID=8
WORK=/tmp/trawl-bench-scale
KEEP=0
PG_NAME=trawl_scale
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS="$2"; shift 2 ;;
    --size-mb) SIZE_MB="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --rules) RULES="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --workers) WORKER_COUNTS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --grid-size) GRID="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale-out: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in aws curl node python3 java pg_isready psql /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "scale-out: $tool is missing (apt-get install -y awscli curl nodejs python3 postgresql-client time)" >&2; exit 2; }
done
for n in "$REPEAT" "$THREADS" "$GRID"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "scale-out: --repeat, --threads and --grid-size are counts of 1 or more, not $n" >&2; exit 2; }
done
[[ "$WORKER_COUNTS" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "scale-out: --workers is a list of counts such as 1,2, not $WORKER_COUNTS" >&2; exit 2; }
[ -d "$RULES" ] || { echo "scale-out: no rules folder at $RULES; give one with --rules" >&2; exit 2; }
[ -z "$CORPUS" ] || [ -d "$CORPUS" ] || { echo "scale-out: the corpus folder $CORPUS does not exist" >&2; exit 2; }
[ -d "$TRAWL_HOME/node_modules/dynalite" ] || { echo "scale-out: dynalite is missing: run npm ci in $TRAWL_HOME" >&2; exit 2; }

CORPUS_NAME="corpus-store-${SIZE_MB}mb-seed$SEED"
prepare_run scale-out make_store_corpus.py
RULES="$(cd "$RULES" && pwd)"
IFS=, read -r -a COUNTS <<< "$WORKER_COUNTS"
trawl() { TRAWL_DATA_DIR="$1" "$TRAWL_HOME/trawl" "${@:2}"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- processes this script starts, each in its own process group, stopped by id at the end -------------------
STARTED=()
cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do stop_group "$pid"; done
  if [ "$KEEP" = 0 ] && [ -n "${RUN:-}" ]; then rm -rf "$RUN"/data-* "$RUN/aws-local"; fi
}
trap cleanup EXIT
stop_group() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
# spawn NAME command...: runs it in the background in a new session (its pid is its group's id), output in RUN/NAME.log
spawn() {
  local name="$1"; shift
  setsid "$@" > "$RUN/$name.log" 2>&1 < /dev/null &
  SPAWNED=$!
  STARTED+=("$SPAWNED")
}
# wait_ready NAME PORT PID: until the service answers its readiness probe
wait_ready() {
  local name="$1" port="$2" pid="$3" i
  for i in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "scale-out: $name exited; see $RUN/$name.log" >&2; tail -5 "$RUN/$name.log" >&2; exit 2; }
    sleep 0.5
  done
  echo "scale-out: $name was not ready after 120 s; see $RUN/$name.log" >&2; exit 2
}

# --- the build, PostgreSQL, the emulators ---------------------------------------------------------------------
trawl "$RUN/data-build" status > /dev/null 2> "$RUN/build.log" || {
  echo "scale-out: ./trawl did not start; see $RUN/build.log" >&2; tail -5 "$RUN/build.log" >&2; exit 2; }
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  [ "$(id -u)" = 0 ] || { echo "scale-out: PostgreSQL is not running on 127.0.0.1:5432; start it (sudo pg_ctlcluster 15 main start)" >&2; exit 2; }
  pg_ctlcluster 15 main start
  for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if [ "$(id -u)" = 0 ]; then
  su postgres -c "psql -q -v ON_ERROR_STOP=1" > /dev/null <<SQL
DROP DATABASE IF EXISTS $PG_NAME;
DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_NAME') THEN
  CREATE ROLE $PG_NAME LOGIN PASSWORD '$PG_NAME'; END IF; END \$\$;
CREATE DATABASE $PG_NAME OWNER $PG_NAME;
SQL
fi
export SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:5432/$PG_NAME" SPRING_DATASOURCE_USERNAME="$PG_NAME" \
  SPRING_DATASOURCE_PASSWORD="$PG_NAME"

echo "scale-out: starting the emulators (./trawl aws-local)" >&2
mkdir -p "$RUN/aws-local"
spawn aws-local env TRAWL_DATA_DIR="$RUN/aws-local" TRAWL_AWS_LOCAL_S3_PORT="$(free_port)" \
  TRAWL_AWS_LOCAL_SQS_PORT="$(free_port)" TRAWL_AWS_LOCAL_DYNAMODB_PORT="$(free_port)" "$TRAWL_HOME/trawl" aws-local
EMULATORS=$SPAWNED
for i in $(seq 1 600); do
  [ -s "$RUN/aws-local/aws-local.env" ] && grep -q TRAWL_METRICS_NAMESPACE "$RUN/aws-local/aws-local.env" && break
  kill -0 "$EMULATORS" 2>/dev/null || { echo "scale-out: aws-local exited; see $RUN/aws-local.log" >&2; tail -5 "$RUN/aws-local.log" >&2; exit 2; }
  sleep 0.5
done
set -a; . "$RUN/aws-local/aws-local.env"; set +a
export SPRING_PROFILES_ACTIVE=aws
[ -n "${TRAWL_PARTITION_QUEUE_URL:-}" ] || { echo "scale-out: aws-local wrote no TRAWL_PARTITION_QUEUE_URL" >&2; exit 2; }
PREFIX="$(basename "$CORPUS")"
echo "scale-out: uploading the corpus to s3://$TRAWL_BUCKET/$PREFIX/ and the rules" >&2
aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 cp --quiet --recursive "$CORPUS" "s3://$TRAWL_BUCKET/$PREFIX/"
aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 cp --quiet --recursive "$RULES" "s3://$TRAWL_BUCKET/rules/$(basename "$RULES")/"
UPLOADED="$(aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3 ls --recursive "s3://$TRAWL_BUCKET/$PREFIX/" | wc -l)"
FILES="$(tr -cd '\0' < "$RUN/files0" | wc -c)"
[ "$UPLOADED" = "$FILES" ] || { echo "scale-out: S3 holds $UPLOADED of the corpus's $FILES files" >&2; exit 2; }

# --- the cluster: a manager, and workers started for each job -----------------------------------------------------
SERVE=(serve --role manager --trawl.partitions.poll-interval=1s)   # the manager reads the partitions' status every second
start_manager() {
  MANAGER_PORT="$(free_port)"
  spawn manager env TRAWL_DATA_DIR="$RUN/data-manager" TRAWL_PORT="$MANAGER_PORT" TRAWL_GRID_SIZE="$GRID" \
    "$TRAWL_HOME/trawl" "${SERVE[@]}"
  MANAGER=$SPAWNED
  wait_ready manager "$MANAGER_PORT" "$MANAGER"
  API_KEY="$(cat "$RUN/data-manager/admin.key")"
}
# start_worker N: one ./trawl worker process (no web server: it is ready once it logs that it receives partitions)
start_worker() {
  local name="worker$1" data="$RUN/data-worker$1" i
  spawn "$name" env TRAWL_DATA_DIR="$data" TRAWL_THREADS="$THREADS" "$TRAWL_HOME/trawl" worker
  WORKERS+=("$SPAWNED")
  for i in $(seq 1 240); do
    grep -qs "receives partitions from" "$data"/trawl-worker-*.log && return 0
    kill -0 "$SPAWNED" 2>/dev/null || { echo "scale-out: $name exited; see $RUN/$name.log" >&2; tail -5 "$RUN/$name.log" >&2; exit 2; }
    sleep 0.5
  done
  echo "scale-out: $name was not ready after 120 s; see $RUN/$name.log" >&2; exit 2
}
api() { curl -sS -f -H "X-API-Key: $API_KEY" -H 'Content-Type: application/json' "$@"; }
# cpu_snapshot FILE: every tree's CPU seconds so far
cpu_snapshot() {
  local args=(manager="$MANAGER" emulators="$EMULATORS") i
  for i in "${!WORKERS[@]}"; do args+=("worker$((i + 1))=${WORKERS[$i]}"); done
  python3 "$BENCH/lib/tree_cpu.py" --threads "${args[@]}" > "$1"
}
# cluster_job ROUND N: launches the rescan over the manager's API and waits for its end
cluster_job() {
  local round="$1" n="$2" name="cluster-${2}w-r$1" id status pid i
  WORKERS=()
  for i in $(seq 1 "$n"); do start_worker "$i"; done
  cpu_snapshot "$RUN/$name.cpu-before"
  id="$(api -X POST "http://127.0.0.1:$MANAGER_PORT/api/jobs" -d "{\"source\":\"s3://$TRAWL_BUCKET/$PREFIX/\",\
\"rules\":\"s3://$TRAWL_BUCKET/rules/$(basename "$RULES")/\",\"requestId\":\"$name-$$\",\"full\":true}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["jobExecutionId"])')"
  # the job repository says when it ends: asking the manager's API instead costs the manager and DynamoDB CPU
  while :; do
    status="$(PGPASSWORD="$PG_NAME" psql -h 127.0.0.1 -U "$PG_NAME" -d "$PG_NAME" -tAc \
      "SELECT status FROM batch_job_execution WHERE job_execution_id = $id")"
    case "$status" in ""|STARTING|STARTED|STOPPING) sleep 0.5 ;; *) break ;; esac
  done
  cpu_snapshot "$RUN/$name.cpu-after"
  api "http://127.0.0.1:$MANAGER_PORT/api/jobs/$id" > "$RUN/$name.json"
  for pid in "${WORKERS[@]}"; do stop_group "$pid"; done
  echo "scale-out: $name: job $id $status" >&2
  printf '%s\t%s\t%s\t%s\n' "$name" "$round" "$n" "$RUN/$name" >> "$RUN/cluster.tsv"
}

uptime > "$RUN/uptime-before"
echo "scale-out: starting the manager (grid size $GRID)" >&2
start_manager
BENCH_NAME=scale-out
for round in $(seq 1 "$REPEAT"); do
  warm
  timed "embedded-r$round" "$RUN/embedded-r$round.out" \
    env -u SPRING_PROFILES_ACTIVE -u SPRING_DATASOURCE_URL -u SPRING_DATASOURCE_USERNAME -u SPRING_DATASOURCE_PASSWORD \
    TRAWL_DATA_DIR="$RUN/data-embedded-r$round" "$TRAWL_HOME/trawl" rescan \
    --source "$CORPUS" --rules "$RULES" --full
  for n in "${COUNTS[@]}"; do cluster_job "$round" "$n"; done
done
uptime > "$RUN/uptime-after"

python3 "$BENCH/lib/scale_report.py" "$RUN" "$THREADS" "$GRID" | tee "$RUN/report.txt"
