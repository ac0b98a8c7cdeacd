#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this one machine, for the test that runs
# the hub's AMQP transport against a cluster with a node stopped mid-load
# (tests/it/amqp/cluster.rs), the way deploy/rabbitmq/ describes a site:
#
#   bash tests/cluster.sh start DIR        # nodes ltc1..3@localhost, clustered
#   bash tests/cluster.sh stop-node DIR N  # stops node N (1..3), keeps its data
#   bash tests/cluster.sh start-node DIR N # starts it again; it rejoins
#   bash tests/cluster.sh stop DIR         # stops every node
#
# Each node has its own name, AMQP port (5690+N on 127.0.0.1), distribution
# port (25690+N), data, logs and configuration under DIR/nN, and the cluster
# its own Erlang cookie in DIR (HOME for the nodes and for rabbitmqctl), so
# it never touches the test broker on 5672 or its files. It uses the
# rabbitmq-server that tests/broker.sh installed, run directly from
# /usr/lib/rabbitmq/bin (LT_RABBIT_BIN), not through Debian's wrapper, which
# would switch to the rabbitmq user and its cookie. `start` stops nodes left
# by an earlier run first. Every failure is loud, with the node's log.
set -euo pipefail

bin=${LT_RABBIT_BIN:-/usr/lib/rabbitmq/bin}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
action=${1:?usage: tests/cluster.sh start|stop|stop-node|start-node DIR [N]}
dir=${2:?the cluster directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

say() { echo "tests/cluster.sh: $*" >&2; }

fatal() {
  say "FATAL: $*"
  for log in "$dir"/n*/log/*.log; do
    [ -f "$log" ] || continue
    echo "--- last lines of $log" >&2
    tail -n 30 "$log" >&2 || true
  done
  exit 1
}

node_name() { echo "ltc$1@localhost"; }

ctl() {
  local n=$1
  shift
  HOME="$dir" "$bin/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

env_of() {
  local n=$1 d="$dir/n$1"
  echo HOME="$dir" RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_PORT=$((5690 + n)) RABBITMQ_DIST_PORT=$((25690 + n)) \
    RABBITMQ_BASE="$d" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_PID_FILE="$d/pid" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
}

start_node() {
  local n=$1 d="$dir/n$1"
  mkdir -p "$d/log"
  # The settings of deploy/rabbitmq/cluster.conf, but its peer list and
  # listener: this cluster's nodes have their own names and ports.
  grep -v -e '^#' -e '^$' -e '^cluster_formation' -e '^listeners' \
    "$root/deploy/rabbitmq/cluster.conf" >"$d/rabbitmq.conf"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' $((5690 + n)) >>"$d/rabbitmq.conf"
  echo "[]." >"$d/enabled_plugins"
  echo "[]." >"$d/advanced.config"
  say "starting $(node_name "$n") on 127.0.0.1:$((5690 + n))"
  env $(env_of "$n") "$bin/rabbitmq-server" -detached \
    || fatal "rabbitmq-server did not start $(node_name "$n")"
}

# `await_startup` needs the node's VM to answer already: until it does (a
# node boots in some seconds, more on a loaded machine), ask again.
await_node() {
  local waited=0 limit=${LT_CLUSTER_START_TIMEOUT:-180}
  until ctl "$1" await_startup --timeout 10 >/dev/null 2>&1; do
    waited=$((waited + 2))
    [ "$waited" -lt "$limit" ] || fatal "$(node_name "$1") did not finish booting in ${limit}s"
    sleep 2
  done
}

stop_node() {
  if ctl "$1" status >/dev/null 2>&1; then
    say "stopping $(node_name "$1")"
    ctl "$1" stop >/dev/null || say "$(node_name "$1") did not stop; its ports go next"
  fi
}

# A node that does not answer a stop (still booting, another cookie, an
# earlier run's) goes by the ports it holds: nothing else uses them.
kill_node() {
  local port
  for port in $((25690 + $1)) $((5690 + $1)); do
    fuser -k -n tcp "$port" >/dev/null 2>&1 || true
  done
  for _ in $(seq 1 50); do
    fuser -n tcp $((25690 + $1)) >/dev/null 2>&1 || return 0
    sleep 0.2
  done
  fatal "$(node_name "$1") still holds port $((25690 + $1))"
}

case $action in
start)
  [ -x "$bin/rabbitmq-server" ] || fatal "no rabbitmq-server in $bin (run tests/broker.sh first)"
  # One cookie for every checkout's test cluster: a node left running by
  # another checkout (the node names are the machine's) still answers the
  # stop below instead of refusing it for a wrong cookie.
  if [ ! -f "$dir/.erlang.cookie" ]; then
    echo "LIENTHONGTESTCLUSTERCOOKIE" >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
  fi
  for n in 1 2 3; do stop_node "$n"; done
  for n in 1 2 3; do kill_node "$n"; done
  rm -rf "$dir"/n1 "$dir"/n2 "$dir"/n3
  for n in 1 2 3; do start_node "$n"; done
  for n in 1 2 3; do await_node "$n"; done
  for n in 2 3; do
    say "joining $(node_name "$n") to $(node_name 1)"
    ctl "$n" stop_app >/dev/null
    ctl "$n" join_cluster "$(node_name 1)" >/dev/null || fatal "$(node_name "$n") could not join"
    ctl "$n" start_app >/dev/null
    await_node "$n"
  done
  members=$(ctl 1 cluster_status --formatter json | tr ',' '\n' | grep -c 'ltc[123]@localhost' || true)
  [ "$members" -ge 3 ] || fatal "the cluster does not list its three nodes"
  say "three nodes clustered: 127.0.0.1:5691, 5692, 5693"
  ;;
stop)
  for n in 1 2 3; do stop_node "$n" || true; done
  for n in 1 2 3; do kill_node "$n"; done
  ;;
stop-node)
  stop_node "${3:?node number}"
  ;;
start-node)
  start_node "${3:?node number}"
  await_node "$3"
  ;;
*)
  fatal "unknown action $action"
  ;;
esac
