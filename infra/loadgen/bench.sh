#!/usr/bin/env bash
# bench.sh owns the benchmark suite of docs/benchmarks.md: it builds what it needs, starts the
# Parley local stack (./parley run, in its own data directory, with the rate limits raised) unless
# one is already up there, starts the Socket.IO yardstick (two node processes with the Redis
# adapter on the stack's Redis), runs each scenario for Parley and for the yardstick with the same
# load generator, appends one JSON line per result to $BENCH_OUT, and stops what it started.
#
#   infra/loadgen/bench.sh [a] [b] [c] [d] [e]      (default: all five)
#
# a: 1,000 clients, 100 rooms of 10, 1 msg/s each, 30 s      b: 2,000 clients, 20 rooms of 100, 0.2 msg/s, 30 s
# c: the topology of (a), rate ramped until p99 > 100 ms or any loss: the highest delivered rate
# d: idle authenticated connections, $BENCH_IDLE_PER_NODE per node on two nodes; memory per connection
#    (and a stock Helidon WebSocket server as the baseline of Parley's own cost)
# o: overload: the topology of (a) at $BENCH_OVERLOAD_RATE msg/s per client (3x the highest passing rate of
#    (c)) for 60 s, then 30 s at 1 msg/s without warm-up: refusals by code, loss, the recovery's latency, and
#    how many edge nodes the processors expired meanwhile (their log), which must be none
# e: (a) with history page reads (GET .../messages?limit=50, $BENCH_HISTORY_RATE per second)
#
# Environment: BENCH_DATA (/tmp/parley-bench: the stack's PARLEY_DATA_DIR), BENCH_OUT
# (infra/loadgen/target/bench-results.jsonl), BENCH_SYSTEMS ("parley socketio"), BENCH_DURATION (30),
# BENCH_IDLE_PER_NODE (10000), BENCH_HISTORY_RATE (50), BENCH_RAMP_RATES (0.25,0.5,1,1.5,2,3,4,6,8),
# BENCH_WARMUP (30: seconds of unmeasured load at the scenario's rate before every measured phase,
# every ramp step included), BENCH_STACK_WARMUP (120: seconds of unmeasured (a) load once, right after
# this script started the Parley stack: its six JVMs start cold), BENCH_SKIP_BUILD=1. Every result line carries the CPU the machine spent
# outside the benchmark's processes and the load generator ("outsideCpuCores"); above half a core the
# line says "valid": false: run benchmarks on a quiet machine. Everything runs on 127.0.0.1; every run is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

DATA=${BENCH_DATA:-/tmp/parley-bench}
OUT=${BENCH_OUT:-$ROOT/infra/loadgen/target/bench-results.jsonl}
SYSTEMS=${BENCH_SYSTEMS:-"parley socketio"}
DURATION=${BENCH_DURATION:-30}
IDLE_PER_NODE=${BENCH_IDLE_PER_NODE:-10000}
HISTORY_RATE=${BENCH_HISTORY_RATE:-50}
RAMP_RATES=${BENCH_RAMP_RATES:-0.25,0.5,1,1.5,2,3,4,6,8}
WARMUP=${BENCH_WARMUP:-30}
OVERLOAD_RATE=${BENCH_OVERLOAD_RATE:-3}
STACK_WARMUP=${BENCH_STACK_WARMUP:-120}
SCENARIOS=${*:-a b c d e}
YARD_PORTS=(3001 3002)
STOCK_PORT=8095

# A process may hold at most the hard limit of open files here (20,000): take all of it.
ulimit -n "$(ulimit -Hn)"

if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/jcmd" ]; then
  for home in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    if [ -x "$home/bin/jcmd" ] && "$home/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      export JAVA_HOME=$home; break
    fi
  done
fi
export PATH="$JAVA_HOME/bin:$PATH"
# A JDK 21/22 does not know this flag (and refuses to start with it): only for JDK 23+.
if "$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | grep -qE 'java.specification.version = (2[3-9]|[3-9][0-9])'; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi

log() { echo "bench: $*" >&2; }

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  log "building (mvn package) ..."
  mvn -B -q -ntp -DskipTests package
  (cd infra/loadgen/yardstick && npm ci --no-audit --no-fund --loglevel=error)
fi

STARTED=()
cleanup() {
  set +e
  for pid in "${STARTED[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  if [ -n "${LAUNCHER_STARTED:-}" ] && [ -f "$DATA/run/launcher.pid" ]; then
    log "stopping the Parley stack ..."
    kill -TERM "$(cat "$DATA/run/launcher.pid")" 2>/dev/null
    for _ in $(seq 1 60); do
      kill -0 "$LAUNCHER_STARTED" 2>/dev/null || break
      sleep 1
    done
  fi
  wait 2>/dev/null
}
trap cleanup EXIT

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

mkdir -p "$DATA" "$(dirname "$OUT")"
if ! alive "$DATA/run/launcher.pid"; then
  log "starting ./parley run (data in $DATA) ..."
  # Benchmark settings: per-user and per-connection limits far above the offered load.
  PARLEY_DATA_DIR=$DATA PARLEY_MAX_MESSAGES_PER_MINUTE=${PARLEY_MAX_MESSAGES_PER_MINUTE:-1000000} \
    PARLEY_RATE_BURST=${PARLEY_RATE_BURST:-100000} PARLEY_MAX_FRAMES_PER_SECOND=${PARLEY_MAX_FRAMES_PER_SECOND:-10000} \
    ./parley run > "$DATA/launcher.out" 2>&1 &
  LAUNCHER_STARTED=$!
  for _ in $(seq 1 300); do
    grep -q "Parley is running" "$DATA/launcher.out" 2>/dev/null && break
    kill -0 "$LAUNCHER_STARTED" 2>/dev/null || { cat "$DATA/launcher.out" >&2; exit 2; }
    sleep 1
  done
  grep -q "Parley is running" "$DATA/launcher.out" || { log "the stack did not start in 300 s"; exit 2; }
fi
REDIS_URL=$(sed -n 's/.*PARLEY_REDIS_URL=//p' "$DATA/launcher.out" | head -1)
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:16379}
KAFKA_BOOTSTRAP=$(sed -n 's/.*PARLEY_KAFKA_BOOTSTRAP=//p' "$DATA/launcher.out" | head -1)
KAFKA_BOOTSTRAP=${KAFKA_BOOTSTRAP:-127.0.0.1:19092}
SECRET_FILE=$DATA/jwt-secret
pid_of() { cat "$DATA/run/$1.pid"; }

LG=(java -Xms512m -Xmx3g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED
    -cp "$ROOT/infra/loadgen/target/classes:$(cat "$ROOT/infra/loadgen/target/runtime.classpath")"
    io.parley.loadgen.Main --secret-file "$SECRET_FILE" --out "$OUT")

YARD_PIDS=()
start_yardstick() {
  [ ${#YARD_PIDS[@]} -gt 0 ] && return
  for port in "${YARD_PORTS[@]}"; do
    PARLEY_JWT_SECRET=$(cat "$SECRET_FILE") YARDSTICK_REDIS_URL=$REDIS_URL \
      node --expose-gc infra/loadgen/yardstick/server.js "$port" > "$DATA/yardstick-$port.log" 2>&1 &
    YARD_PIDS+=($!); STARTED+=($!)
  done
  for port in "${YARD_PORTS[@]}"; do
    for _ in $(seq 1 50); do
      grep -q "Socket.IO on" "$DATA/yardstick-$port.log" 2>/dev/null && break
      sleep 0.2
    done
  done
  log "yardstick up: pids ${YARD_PIDS[*]}"
}

# target <system>: the load generator's arguments for one system
target() {
  echo "--warmup $WARMUP"
  case "$1" in
    parley) echo "--kafka-bootstrap $KAFKA_BOOTSTRAP --system parley --urls ws://127.0.0.1:8080/ws,ws://127.0.0.1:8081/ws --pid-dir $DATA/run" ;;
    socketio) echo "--system socketio --urls ws://127.0.0.1:${YARD_PORTS[0]},ws://127.0.0.1:${YARD_PORTS[1]} --procs sio-1=${YARD_PIDS[0]},sio-2=${YARD_PIDS[1]},redis=$(pid_of redis)" ;;
  esac
}
history_url() { [ "$1" = parley ] && echo http://127.0.0.1:8090 || echo "http://127.0.0.1:${YARD_PORTS[0]}"; }

idle() {
  local system=$1
  if [ "$system" = parley ]; then
    # Baseline: a stock Helidon WebSocket server with the edge node's JVM flags.
    java -Xms64m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -cp "$ROOT/infra/loadgen/target/classes:$(cat "$ROOT/infra/loadgen/target/runtime.classpath")" \
      io.parley.loadgen.StockHelidonServer $STOCK_PORT > "$DATA/stock-helidon.log" 2>&1 &
    local stock=$!; STARTED+=($stock)
    sleep 3
    "${LG[@]}" --system parley --scenario d-stock-helidon --mode idle --clients "$IDLE_PER_NODE" \
      --urls ws://127.0.0.1:$STOCK_PORT/ws --procs stock-helidon=$stock --mem-procs stock-helidon --java-heap stock-helidon
    kill -TERM $stock
    "${LG[@]}" --system parley --scenario d --mode idle --clients "$IDLE_PER_NODE" --urls ws://127.0.0.1:8080/ws \
      --procs edge-1="$(pid_of edge-1)" --mem-procs edge-1 --java-heap edge-1 &
    local one=$!
    "${LG[@]}" --system parley --scenario d --mode idle --clients "$IDLE_PER_NODE" --urls ws://127.0.0.1:8081/ws \
      --procs edge-2="$(pid_of edge-2)" --mem-procs edge-2 --java-heap edge-2
    wait $one
  else
    local i
    for i in 0 1; do
      "${LG[@]}" --system socketio --scenario d --mode idle --clients "$IDLE_PER_NODE" \
        --urls "ws://127.0.0.1:${YARD_PORTS[$i]}" --procs "sio-$((i + 1))=${YARD_PIDS[$i]}" \
        --mem-procs "sio-$((i + 1))" --mem-url "sio-$((i + 1))=http://127.0.0.1:${YARD_PORTS[$i]}/mem" &
      eval "idle_$i=\$!"
    done
    wait "$idle_0" "$idle_1"
  fi
}

# A stack this script started is cold (six JVMs' JIT): one unmeasured run at (a)'s rate first
# (BENCH_STACK_WARMUP seconds, 0: none), on top of every phase's own BENCH_WARMUP.
if [ -n "${LAUNCHER_STARTED:-}" ] && [ "$STACK_WARMUP" -gt 0 ] && [[ " $SYSTEMS " == *" parley "* ]]; then
  log "warming the new stack for $STACK_WARMUP s at (a)'s rate (not measured) ..."
  java -Xms512m -Xmx3g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
    -cp "$ROOT/infra/loadgen/target/classes:$(cat "$ROOT/infra/loadgen/target/runtime.classpath")" \
    io.parley.loadgen.Main --secret-file "$SECRET_FILE" --out /dev/null $(target parley) --warmup 0 \
    --scenario stack-warmup --clients 1000 --rooms 100 --rate 1 --duration "$STACK_WARMUP" --drain 30 > /dev/null 2>&1 \
    || log "the stack warm-up run failed (ignored: it is not a result)"
fi
log "results go to $OUT"
for scenario in $SCENARIOS; do
  for system in $SYSTEMS; do
    [ "$system" = socketio ] && start_yardstick
    log "scenario $scenario, $system"
    # shellcheck disable=SC2046
    case "$scenario" in
      a) "${LG[@]}" $(target "$system") --scenario a --clients 1000 --rooms 100 --rate 1 --duration "$DURATION" --drain 60 ;;
      b) "${LG[@]}" $(target "$system") --scenario b --clients 2000 --rooms 20 --rate 0.2 --duration "$DURATION" --drain 60 ;;
      c) "${LG[@]}" $(target "$system") --scenario c --mode ramp --clients 1000 --rooms 100 \
           --ramp-rates "$RAMP_RATES" --duration 15 --drain 30 --p99-limit-ms 100 ;;
      d) idle "$system" ;;
      o) expired_before=$(grep -c "missed its lease" "$DATA/logs/processors.log" 2>/dev/null || true)
         "${LG[@]}" $(target "$system") --scenario o --mode overload --clients 1000 --rooms 100 --rate 1 \
           --overload-rate "$OVERLOAD_RATE" --duration 60 --recovery 30 --drain 60
         if [ "$system" = parley ]; then
           expired_after=$(grep -c "missed its lease" "$DATA/logs/processors.log" 2>/dev/null || true)
           log "edge nodes expired by the processors during the overload: $(( ${expired_after:-0} - ${expired_before:-0} ))"
         fi ;;
      e) "${LG[@]}" $(target "$system") --scenario e --clients 1000 --rooms 100 --rate 1 --duration "$DURATION" --drain 60 \
           --history-url "$(history_url "$system")" --history-rate "$HISTORY_RATE" ;;
      *) log "unknown scenario $scenario"; exit 64 ;;
    esac
  done
done
log "done; results in $OUT"
