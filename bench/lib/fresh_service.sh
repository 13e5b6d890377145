# Sourced by the benchmarks that measure nights in a fresh `./trawl serve`:
#   start_fresh_service TRAWL_HOME DATA_DIR SOURCES_ALLOWED LOG
# starts one on an empty data folder, in its own session (stop it with kill -TERM -- -$PID), on a free loopback
# port, and waits until it is ready; sets PID and exports TRAWL_SERVE_URL and TRAWL_KEY_FILE for service_night.sh.
# TRAWL_JAVA_OPTS reaches the service.
start_fresh_service() {
  local home=$1 data=$2 allowed=$3 log=$4 port
  mkdir -p "$data"; chmod 700 "$data"
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  setsid env TRAWL_NO_BUILD=1 TRAWL_DATA_DIR="$data" TRAWL_PORT="$port" TRAWL_SOURCES_ALLOWED="$allowed" \
    "$home/trawl" serve > "$log" 2>&1 < /dev/null &
  PID=$!
  export TRAWL_SERVE_URL="http://127.0.0.1:$port" TRAWL_KEY_FILE="$data/admin.key"
  for _ in $(seq 1 240); do
    curl -sf "$TRAWL_SERVE_URL/actuator/health/readiness" >/dev/null 2>&1 && [ -s "$TRAWL_KEY_FILE" ] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "./trawl serve exited; see $log" >&2; return 2; }
    sleep 0.5
  done
  echo "./trawl serve was not ready after 120 s; see $log" >&2
  return 2
}
