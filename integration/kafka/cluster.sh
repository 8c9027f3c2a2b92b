#!/usr/bin/env bash
# A 3-node Apache Kafka 4.4 KRaft cluster on loopback, for kscope's
# integration suite and for trying kscope on a real cluster.
#
#   cluster.sh up              fetch the jars (first time), format, start, wait until ready
#   cluster.sh down            stop every JVM this script started (brokers and tools)
#   cluster.sh status          one line per node; exit 0 only when all three run
#   cluster.sh env             KEY=VALUE lines: bootstrap addresses, users, CA, paths
#   cluster.sh tool NAME ARGS  run one of Kafka's command-line tools, e.g.
#                              cluster.sh tool kafka-topics --bootstrap-server 127.0.0.1:19092 --describe
#   cluster.sh tools           list the tool names
#   cluster.sh pause N | resume N | kill N | start N | pid N
#                              SIGSTOP, SIGCONT, SIGKILL, (re)start node N (1-3); its JVM's pid
#
# Each node is a combined broker and controller with three listeners:
#   PLAINTEXT  127.0.0.1:$KSCOPE_RIG_PORT+i-1        (default 19092-19094)  no authentication
#   SASL_SSL   127.0.0.1:$KSCOPE_RIG_SASL_PORT+i-1   (default 19192-19194)  SCRAM-SHA-512 over TLS
#   CONTROLLER 127.0.0.1:$KSCOPE_RIG_CONTROLLER_PORT+i-1 (default 19292-19294)
# Brokers replicate and reach the controllers over the plaintext
# listeners, whose principal (ANONYMOUS) is a superuser like `admin`: the
# SASL_SSL listener is where authentication and the StandardAuthorizer's
# ACLs apply. There the user `limited` may use every topic and group except
# topics whose names start with "secret." (no Describe, nothing).
#
# State (data, logs, pid files, certificates, client properties) lives in
# $KSCOPE_RIG_STATE (default integration/kafka/state, git-ignored).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIBS="${KSCOPE_RIG_LIBS:-$HERE/target/libs}"
STATE="${KSCOPE_RIG_STATE:-$HERE/state}"
PORT="${KSCOPE_RIG_PORT:-19092}"
SASL_PORT="${KSCOPE_RIG_SASL_PORT:-19192}"
CONTROLLER_PORT="${KSCOPE_RIG_CONTROLLER_PORT:-19292}"
HOST=127.0.0.1
NODES=3
BROKER_HEAP="${KSCOPE_RIG_HEAP:--Xms192m -Xmx384m}"
TOOL_HEAP="${KSCOPE_RIG_TOOL_HEAP:--Xmx256m}"
READY_TIMEOUT="${KSCOPE_RIG_READY_TIMEOUT:-120}"

ADMIN_USER=admin
ADMIN_PASSWORD=admin-secret
LIMITED_USER=limited
LIMITED_PASSWORD=limited-secret
SECRET_PREFIX=secret.
STORE_PASSWORD=rig-store-secret

die() { echo "cluster.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

plain_addr() { echo "$HOST:$((PORT + $1 - 1))"; }
sasl_addr() { echo "$HOST:$((SASL_PORT + $1 - 1))"; }
controller_addr() { echo "$HOST:$((CONTROLLER_PORT + $1 - 1))"; }
join() { local IFS=,; echo "$*"; }
bootstrap() { local a=(); for i in $(seq 1 $NODES); do a+=("$(plain_addr "$i")"); done; join "${a[@]}"; }
sasl_bootstrap() { local a=(); for i in $(seq 1 $NODES); do a+=("$(sasl_addr "$i")"); done; join "${a[@]}"; }

# --- Kafka's command-line tools, by the name of their script in Kafka's bin/.
tool_class() {
  case "$1" in
    kafka-topics) echo org.apache.kafka.tools.TopicCommand ;;
    kafka-configs) echo org.apache.kafka.tools.ConfigCommand ;;
    kafka-consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    kafka-share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
    kafka-streams-groups) echo org.apache.kafka.tools.streams.StreamsGroupCommand ;;
    kafka-groups) echo org.apache.kafka.tools.GroupsCommand ;;
    kafka-console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    kafka-console-share-consumer) echo org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
    kafka-console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
    kafka-leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
    kafka-transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
    kafka-acls) echo org.apache.kafka.tools.AclCommand ;;
    kafka-get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
    kafka-delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
    kafka-log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
    kafka-reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
    kafka-metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
    kafka-features) echo org.apache.kafka.tools.FeatureCommand ;;
    kafka-cluster) echo org.apache.kafka.tools.ClusterTool ;;
    kafka-broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    kafka-producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
    kafka-consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
    kafka-verifiable-producer) echo org.apache.kafka.tools.VerifiableProducer ;;
    kafka-verifiable-consumer) echo org.apache.kafka.tools.VerifiableConsumer ;;
    kafka-delegation-tokens) echo org.apache.kafka.tools.DelegationTokenCommand ;;
    kafka-client-metrics) echo org.apache.kafka.tools.ClientMetricsCommand ;;
    kafka-dump-log) echo org.apache.kafka.tools.DumpLogSegments ;;
    kafka-storage) echo kafka.tools.StorageTool ;;
    *) return 1 ;;
  esac
}
TOOL_NAMES="kafka-topics kafka-configs kafka-consumer-groups kafka-share-groups kafka-streams-groups kafka-groups
kafka-console-consumer kafka-console-share-consumer kafka-console-producer kafka-leader-election kafka-transactions
kafka-acls kafka-get-offsets kafka-delete-records kafka-log-dirs kafka-reassign-partitions kafka-metadata-quorum
kafka-features kafka-cluster kafka-broker-api-versions kafka-producer-perf-test kafka-consumer-perf-test
kafka-verifiable-producer kafka-verifiable-consumer kafka-delegation-tokens kafka-client-metrics kafka-dump-log kafka-storage"

need_libs() {
  [ -f "$LIBS/kafka_2.13-4.4.0.jar" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "no Kafka jars in $LIBS and no mvn to fetch them"
  echo "fetching Apache Kafka 4.4.0 with Maven into $LIBS ..." >&2
  local t; t=$(now)
  mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" >&2
  echo "  jars ready in $(since "$t")" >&2
}

# JVM flags of the short-lived tool JVMs: quick to start, small.
TOOL_JVM=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true)

# run_tool NAME ARGS: runs in this process (exec), so that a caller's
# signals reach the JVM; its pid is recorded so `down` can end it.
run_tool() {
  local name="$1"; shift
  local class
  class="$(tool_class "$name")" || die "unknown tool $name (cluster.sh tools lists them)"
  need_libs
  mkdir -p "$STATE/tools"
  local f
  for f in "$STATE"/tools/*.pid; do # forget the tools that ended
    [ -e "$f" ] || continue
    [ -d "/proc/$(cat "$f" 2>/dev/null)" ] || rm -f "$f"
  done
  echo $$ >"$STATE/tools/$$.pid"
  # shellcheck disable=SC2086
  exec java $TOOL_HEAP "${TOOL_JVM[@]}" -Dkscope.rig="$STATE" \
    -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" \
    -cp "$LIBS/*" "$class" "$@"
}

# --- Nodes.
node_dir() { echo "$STATE/node$1"; }
pid_file() { echo "$STATE/node$1/pid"; }
# has_arg PID ARG: the process runs with ARG on its command line. (No
# pipe into grep -q: under pipefail its early exit can fail the test.)
has_arg() {
  local cl
  cl="$(tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline")" || return 1
  [[ $'\n'"$cl"$'\n' == *$'\n'"$2"$'\n'* ]]
}
node_pid() {
  local f; f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  local p; p="$(cat "$f")"
  # The pid is ours only while it is still a JVM of this rig.
  has_arg "$p" "-Dkscope.rig.node=$STATE/node$1" || return 1
  echo "$p"
}
node_state() { # running | paused | down
  local p
  p="$(node_pid "$1")" || { echo down; return; }
  if [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ]; then echo paused; else echo running; fi
}

write_config() {
  local i="$1" dir; dir="$(node_dir "$1")"
  local voters=() n
  for n in $(seq 1 $NODES); do voters+=("$n@$(controller_addr "$n")"); done
  cat >"$dir/server.properties" <<EOF
# Written by cluster.sh: node $i of the kscope rig.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$(join "${voters[@]}")
listeners=PLAINTEXT://$(plain_addr "$i"),SASL_SSL://$(sasl_addr "$i"),CONTROLLER://$(controller_addr "$i")
advertised.listeners=PLAINTEXT://$(plain_addr "$i"),SASL_SSL://$(sasl_addr "$i")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1

# Security: SCRAM-SHA-512 over TLS on SASL_SSL; the StandardAuthorizer.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$STATE/tls/broker.p12
ssl.keystore.password=$STORE_PASSWORD
ssl.key.password=$STORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$STATE/tls/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$ADMIN_USER;User:ANONYMOUS
allow.everyone.if.no.acl.found=false

# A static broker setting that topics fall back to (compression.type).
compression.type=producer

# Internal topics replicated on all three nodes.
offsets.topic.replication.factor=3
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
share.coordinator.state.topic.num.partitions=6

# Leaders move only when a test moves them. The controller's periodic
# preferred election (every 300 s) would otherwise move leaders back to
# a broker a test restarted, at a moment no test chooses. Right after
# a __consumer_offsets leader moves, kafka-consumer-groups can read a
# group's offsets as they were before a commit that had already
# succeeded (seen in the reset test), and the election test's preview
# would find nothing left to elect.
auto.leader.rebalance.enable=false

# Fast failure detection, so that tests need not wait long.
replica.lag.time.max.ms=3000
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=6000
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
group.consumer.min.session.timeout.ms=3000
group.consumer.session.timeout.ms=6000
group.consumer.min.heartbeat.interval.ms=500
group.consumer.heartbeat.interval.ms=1000
group.share.min.session.timeout.ms=3000
group.share.session.timeout.ms=6000
group.share.min.heartbeat.interval.ms=500
group.share.heartbeat.interval.ms=1000

# Small: three of these share two cores with the tests.
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
EOF
}

# start_node N: starts the node's JVM in its own session, records its pid.
start_node() {
  local i="$1" dir; dir="$(node_dir "$1")"
  if node_pid "$i" >/dev/null; then return 0; fi
  mkdir -p "$dir/logs"
  rm -f "$(pid_file "$i")" # the pid of a killed JVM must not pass for the new one
  local gc=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1)
  # shellcheck disable=SC2086
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$(pid_file "$i")" \
    java $BROKER_HEAP "${gc[@]}" -XX:MaxDirectMemorySize=256m -Djava.awt.headless=true \
    -Dkscope.rig.node="$dir" -Dkscope.rig="$STATE" \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$HERE/log4j2-broker.properties" \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/logs/stdout.log" 2>&1 &
  local t=0
  while [ ! -s "$(pid_file "$i")" ]; do
    sleep 0.05; t=$((t + 1)); [ $t -lt 100 ] || die "node $i did not start"
  done
}

# wait_listening N SECONDS: until node N's plaintext port accepts.
wait_listening() {
  local i="$1" limit=$(( $(date +%s) + $2 )) addr; addr="$(plain_addr "$1")"
  while ! (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; do
    node_pid "$i" >/dev/null || die "node $i exited; see $(node_dir "$i")/logs/server.log and stdout.log"
    [ "$(date +%s)" -lt "$limit" ] || die "node $i does not listen on $addr"
    sleep 0.2
  done
}

make_certs() {
  local d="$STATE/tls"
  [ -f "$d/broker.p12" ] && return 0
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 365 \
      -subj "/CN=kscope rig CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr \
      -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
      -extfile broker.ext -out broker.pem 2>/dev/null
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -out broker.p12 -passout "pass:$STORE_PASSWORD"
  )
}

write_client_properties() {
  local user pass
  for user in "$ADMIN_USER" "$LIMITED_USER"; do
    pass="$ADMIN_PASSWORD"; [ "$user" = "$LIMITED_USER" ] && pass="$LIMITED_PASSWORD"
    cat >"$STATE/client-$user.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$user" password="$pass";
ssl.truststore.type=PEM
ssl.truststore.location=$STATE/tls/ca.pem
EOF
  done
}

cluster_id() {
  [ -s "$STATE/cluster-id" ] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$STATE/cluster-id"
  cat "$STATE/cluster-id"
}

all_running() {
  local i
  for i in $(seq 1 $NODES); do [ "$(node_state "$i")" = running ] || return 1; done
}

cmd_up() {
  local t0; t0=$(now)
  need_libs
  if all_running && [ -f "$STATE/ready" ]; then
    echo "already up" >&2
    echo "$(bootstrap)"
    return 0
  fi
  # Whatever is left of an earlier run goes: a fresh cluster every time.
  cmd_down >/dev/null 2>&1 || true
  local i port
  for i in $(seq 1 $NODES); do
    for port in "$(plain_addr "$i")" "$(sasl_addr "$i")" "$(controller_addr "$i")"; do
      if (exec 3<>"/dev/tcp/${port%:*}/${port#*:}") 2>/dev/null; then
        die "something already listens on $port (a rig started from another checkout? run its cluster.sh down, or set KSCOPE_RIG_PORT, KSCOPE_RIG_SASL_PORT, KSCOPE_RIG_CONTROLLER_PORT)"
      fi
    done
  done
  rm -rf "$STATE"
  mkdir -p "$STATE"
  local t; t=$(now)
  make_certs
  write_client_properties
  echo "  certificates                     $(since "$t")" >&2
  t=$(now)
  local id
  id="$(cluster_id)"
  for i in $(seq 1 $NODES); do
    mkdir -p "$(node_dir "$i")/logs"
    write_config "$i"
    java "${TOOL_JVM[@]}" -Xmx128m -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" \
      -cp "$LIBS/*" kafka.tools.StorageTool format --config "$(node_dir "$i")/server.properties" \
      --cluster-id "$id" \
      --add-scram "SCRAM-SHA-512=[name=$ADMIN_USER,password=$ADMIN_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$LIMITED_USER,password=$LIMITED_PASSWORD]" \
      >"$(node_dir "$i")/logs/format.log" 2>&1 &
  done
  for i in $(seq 1 $NODES); do
    wait -n || die "formatting storage failed: $(cat "$STATE"/node*/logs/format.log)"
  done
  echo "  storage formatted                $(since "$t")" >&2
  t=$(now)
  for i in $(seq 1 $NODES); do start_node "$i"; done
  # RigReady waits for the brokers while they start; a node that exits
  # meanwhile ends the wait at once.
  java "${TOOL_JVM[@]}" -Xmx192m -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" \
    -cp "$LIBS/*" "$HERE/RigReady.java" "$(bootstrap)" "$(sasl_bootstrap)" "$STATE/tls/ca.pem" \
    "$ADMIN_USER" "$ADMIN_PASSWORD" "$LIMITED_USER" "$SECRET_PREFIX" "$NODES" "$READY_TIMEOUT" &
  local ready=$!
  while kill -0 "$ready" 2>/dev/null; do
    for i in $(seq 1 $NODES); do
      if ! node_pid "$i" >/dev/null; then
        kill "$ready" 2>/dev/null || true
        cmd_down >/dev/null 2>&1
        die "node $i exited while starting; see $(node_dir "$i")/logs/server.log and stdout.log"
      fi
    done
    sleep 0.2
  done
  wait "$ready" || { cmd_down >/dev/null 2>&1; die "the cluster did not become ready; logs are in $STATE/node*/logs"; }
  touch "$STATE/ready"
  echo "cluster up in $(since "$t0"): bootstrap $(bootstrap), SASL_SSL $(sasl_bootstrap)" >&2
  echo "$(bootstrap)"
}

# stop_pid PID SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
  local p="$1" limit=$(( $(date +%s) + $2 ))
  kill -CONT "$p" 2>/dev/null || true # a paused JVM cannot act on SIGTERM
  kill -TERM "$p" 2>/dev/null || return 0
  while kill -0 "$p" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$limit" ]; then
      kill -KILL "$p" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  while kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]; do sleep 0.05; done
}

cmd_down() {
  local i p f
  # Tools first (console consumers and the like), then the brokers, all at once.
  if [ -d "$STATE/tools" ]; then
    for f in "$STATE"/tools/*.pid; do
      [ -f "$f" ] || continue
      p="$(cat "$f")"
      if has_arg "$p" "-Dkscope.rig=$STATE"; then
        stop_pid "$p" 5 &
      fi
      rm -f "$f"
    done
  fi
  for i in $(seq 1 $NODES); do
    if p="$(node_pid "$i")"; then
      stop_pid "$p" 20 &
    fi
  done
  wait
  for i in $(seq 1 $NODES); do rm -f "$(pid_file "$i")"; done
  rm -f "$STATE/ready"
  echo "down" >&2
}

cmd_status() {
  local i ok=0 s
  for i in $(seq 1 $NODES); do
    s="$(node_state "$i")"
    printf 'node %d: %-8s pid %-8s PLAINTEXT %s  SASL_SSL %s  CONTROLLER %s\n' "$i" "$s" \
      "$(node_pid "$i" || echo -)" "$(plain_addr "$i")" "$(sasl_addr "$i")" "$(controller_addr "$i")"
    [ "$s" = running ] || ok=3
  done
  return $ok
}

cmd_env() {
  cat <<EOF
KSCOPE_BOOTSTRAP=$(bootstrap)
KSCOPE_SASL_BOOTSTRAP=$(sasl_bootstrap)
KSCOPE_RIG_CA=$STATE/tls/ca.pem
KSCOPE_RIG_ADMIN_USER=$ADMIN_USER
KSCOPE_RIG_ADMIN_PASSWORD=$ADMIN_PASSWORD
KSCOPE_RIG_LIMITED_USER=$LIMITED_USER
KSCOPE_RIG_LIMITED_PASSWORD=$LIMITED_PASSWORD
KSCOPE_RIG_SECRET_PREFIX=$SECRET_PREFIX
KSCOPE_RIG_ADMIN_PROPERTIES=$STATE/client-$ADMIN_USER.properties
KSCOPE_RIG_LIMITED_PROPERTIES=$STATE/client-$LIMITED_USER.properties
KSCOPE_RIG_STATE=$STATE
KSCOPE_RIG_NODES=$NODES
EOF
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

node_arg() {
  [[ "${1:-}" =~ ^[1-9][0-9]*$ ]] && [ "$1" -le $NODES ] || die "a node number 1-$NODES is needed"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    bootstrap) bootstrap ;;
    tool) [ $# -ge 1 ] || die "tool NAME ARGS..."; run_tool "$@" ;;
    tools) echo $TOOL_NAMES | tr ' ' '\n' ;;
    pid) node_arg "${1:-}"; node_pid "$1" || die "node $1 is not running" ;;
    pause) node_arg "${1:-}"; kill -STOP "$(node_pid "$1")" ;;
    resume) node_arg "${1:-}"; kill -CONT "$(node_pid "$1")" ;;
    kill) node_arg "${1:-}"
      p="$(node_pid "$1")" || die "node $1 is not running"
      kill -KILL "$p"
      while kill -0 "$p" 2>/dev/null; do sleep 0.05; done ;;
    start) node_arg "${1:-}"; start_node "$1"; wait_listening "$1" "$READY_TIMEOUT" ;;
    "" | help | -h | --help) usage ;;
    *) echo "cluster.sh: unknown command $cmd" >&2; usage >&2; exit 2 ;;
  esac
}

main "$@"
