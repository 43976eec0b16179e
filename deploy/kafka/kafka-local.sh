#!/usr/bin/env bash
# kafka-local.sh start|stop|kill|status|reset — a real single-node Apache Kafka (KRaft) on loopback.
#
# Env: KAFKA_RUN_DIR (default /tmp/kafka-local): data, logs, pid and ports live here.
#      KAFKA_PORT, KAFKA_CONTROLLER_PORT: chosen free on first start, then reused.
#      KAFKA_HEAP (default 768m).
# `start` on an existing run dir reuses its data and ports, so a broker killed with
# `kill` (SIGKILL) comes back with its topics and committed offsets.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LIBS=${KAFKA_LIBS:-$HERE/target/kafka-libs}
RUN=${KAFKA_RUN_DIR:-/tmp/kafka-local}
PIDF=$RUN/kafka.pid

alive() { [ -f "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
need() { command -v "$1" >/dev/null || { echo "kafka-local: '$1' not found. Install it: $2" >&2; exit 1; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

write_config() {
  local port=$1 cport=$2
  cat > "$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$RUN/data
# Topics are created by the application with explicit partition counts.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.partitions=1
# A development box: keep a week or 1 GiB per partition, whichever comes first.
log.retention.hours=168
log.retention.bytes=1073741824
log.segment.bytes=134217728
PROPS
  cat > "$RUN/log4j2.properties" <<'L4J'
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
L4J
}

jvm_opts() {
  JOPTS=(-Xms256m "-Xmx${KAFKA_HEAP:-768m}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
         -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent
         -Djava.awt.headless=true -Djava.net.preferIPv4Stack=true
         "-Dlog4j2.configurationFile=$RUN/log4j2.properties" "-Dkafka.logs.dir=$RUN/logs")
}

start() {
  if alive; then echo "kafka already running: $(cat "$RUN/bootstrap")"; return 0; fi
  need java "apt-get install -y openjdk-17-jre-headless"
  if ! ls "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1; then
    need mvn "apt-get install -y maven"
    echo "kafka-local: fetching the Kafka jars from Maven Central…"
    mvn -q -B -f "$HERE/pom.xml" package
  fi
  mkdir -p "$RUN/logs" "$RUN/data"
  local port cport
  if [ -f "$RUN/ports" ]; then
    read -r port cport < "$RUN/ports"
  else
    port=${KAFKA_PORT:-$(free_port)}
    cport=${KAFKA_CONTROLLER_PORT:-$(free_port)}
    echo "$port $cport" > "$RUN/ports"
  fi
  write_config "$port" "$cport"
  jvm_opts
  if [ ! -f "$RUN/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(python3 -c 'import uuid,base64
while True:
    c=base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not c.startswith("-"): print(c); break')
    java "${JOPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$RUN/server.properties" > "$RUN/logs/format.out" 2>&1 \
      || { cat "$RUN/logs/format.out" >&2; exit 1; }
  fi
  : > "$RUN/logs/server.log"
  nohup java "${JOPTS[@]}" -cp "$LIBS/*" kafka.Kafka "$RUN/server.properties" \
    > "$RUN/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$PIDF"
  echo "127.0.0.1:$port" > "$RUN/bootstrap"
  for _ in $(seq 1 180); do
    if grep -q "Kafka Server started" "$RUN/logs/server.log" 2>/dev/null; then
      echo "kafka ready: 127.0.0.1:$port"; return 0
    fi
    alive || { echo "kafka died while starting:" >&2; tail -n 30 "$RUN/logs/stdout.log" "$RUN/logs/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "kafka not ready after 90s; see $RUN/logs/server.log" >&2; exit 1
}

stop() {
  alive || { rm -f "$PIDF"; echo "kafka not running"; return 0; }
  local pid; pid=$(cat "$PIDF")
  kill -CONT "$pid" 2>/dev/null || true   # a frozen broker cannot shut down
  kill -TERM "$pid"                        # the shutdown hook does a controlled shutdown
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDF"; echo "kafka stopped"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$PIDF"; echo "kafka killed after 30s"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  kill)
    if alive; then pid=$(cat "$PIDF"); kill -KILL "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; fi
    rm -f "$PIDF"; echo "kafka killed" ;;
  status) if alive; then echo "running $(cat "$RUN/bootstrap")"; else echo "not running"; exit 1; fi ;;
  reset) stop; rm -rf "$RUN"; echo "kafka data removed" ;;
  *) echo "usage: $0 start|stop|kill|status|reset" >&2; exit 2 ;;
esac
