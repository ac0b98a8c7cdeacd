#!/usr/bin/env bash
# Three separate (not clustered) RabbitMQ nodes on this one machine, one per
# site, for the test that runs three hubs — two provinces and a ministry —
# linked by shovels (tests/it/amqp/sites.rs), the way deploy/rabbitmq/
# describes the links between sites:
#
#   bash tests/sites.sh start DIR        # nodes lts1..3@localhost, each alone
#   bash tests/sites.sh stop-node DIR N  # stops node N (1..3), keeps its data
#   bash tests/sites.sh start-node DIR N # starts it again
#   bash tests/sites.sh stop DIR         # stops every node
#
# Node N has its own name (ltsN@localhost), AMQP port (5680+N on
# 127.0.0.1), management API (15680+N), distribution port (25680+N), data,
# logs and configuration under DIR/nN, with the plugins a site's broker
# needs: rabbitmq_shovel (the links) and rabbitmq_management (through which
# the hub declares them). The nodes share an Erlang cookie in DIR (HOME for
# the nodes and for rabbitmqctl), so they never touch the test broker on
# 5672, the cluster of tests/cluster.sh, or their files. `start` stops nodes
# left by an earlier run first; every failure is loud, with the node's log.
set -euo pipefail

bin=${LT_RABBIT_BIN:-/usr/lib/rabbitmq/bin}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
action=${1:?usage: tests/sites.sh start|stop|stop-node|start-node DIR [N]}
dir=${2:?the sites directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

say() { echo "tests/sites.sh: $*" >&2; }

fatal() {
  say "FATAL: $*"
  for log in "$dir"/n*/log/*.log; do
    [ -f "$log" ] || continue
    echo "--- last lines of $log" >&2
    tail -n 30 "$log" >&2 || true
  done
  exit 1
}

node_name() { echo "lts$1@localhost"; }

ctl() {
  local n=$1
  shift
  HOME="$dir" "$bin/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

env_of() {
  local n=$1 d="$dir/n$1"
  echo HOME="$dir" RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_PORT=$((5680 + n)) RABBITMQ_DIST_PORT=$((25680 + n)) \
    RABBITMQ_BASE="$d" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_PID_FILE="$d/pid" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
}

start_node() {
  local n=$1 d="$dir/n$1"
  mkdir -p "$d/log"
  cat >"$d/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$((5680 + n))
management.tcp.ip = 127.0.0.1
management.tcp.port = $((15680 + n))
loopback_users = none
CONF
  # What a site's broker runs: deploy/rabbitmq/enabled_plugins.
  cp "$root/deploy/rabbitmq/enabled_plugins" "$d/enabled_plugins"
  echo "[]." >"$d/advanced.config"
  say "starting $(node_name "$n") on 127.0.0.1:$((5680 + n)) (management $((15680 + n)))"
  env $(env_of "$n") "$bin/rabbitmq-server" -detached \
    || fatal "rabbitmq-server did not start $(node_name "$n")"
}

# `await_startup` needs the node's VM to answer already: until it does,
# ask again. Then the management API must answer too.
await_node() {
  local waited=0 limit=${LT_SITES_START_TIMEOUT:-180}
  until ctl "$1" await_startup --timeout 10 >/dev/null 2>&1; do
    waited=$((waited + 2))
    [ "$waited" -lt "$limit" ] || fatal "$(node_name "$1") did not finish booting in ${limit}s"
    sleep 2
  done
  until (exec 3<>"/dev/tcp/127.0.0.1/$((15680 + $1))") 2>/dev/null; do
    waited=$((waited + 1))
    [ "$waited" -lt "$limit" ] || fatal "$(node_name "$1")'s management API did not open in ${limit}s"
    sleep 1
  done
}

stop_node() {
  if ctl "$1" status >/dev/null 2>&1; then
    say "stopping $(node_name "$1")"
    ctl "$1" stop >/dev/null || say "$(node_name "$1") did not stop; its ports go next"
  fi
}

# A node that does not answer a stop (still booting, an earlier run's) goes
# by the ports it holds: nothing else uses them.
kill_node() {
  local port
  for port in $((25680 + $1)) $((5680 + $1)) $((15680 + $1)); do
    fuser -k -n tcp "$port" >/dev/null 2>&1 || true
  done
  for _ in $(seq 1 50); do
    fuser -n tcp $((25680 + $1)) >/dev/null 2>&1 || return 0
    sleep 0.2
  done
  fatal "$(node_name "$1") still holds port $((25680 + $1))"
}

case $action in
start)
  [ -x "$bin/rabbitmq-server" ] || fatal "no rabbitmq-server in $bin (run tests/broker.sh first)"
  if [ ! -f "$dir/.erlang.cookie" ]; then
    echo "LIENTHONGTESTSITESCOOKIE" >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
  fi
  for n in 1 2 3; do stop_node "$n"; done
  for n in 1 2 3; do kill_node "$n"; done
  rm -rf "$dir"/n1 "$dir"/n2 "$dir"/n3
  for n in 1 2 3; do start_node "$n"; done
  for n in 1 2 3; do await_node "$n"; done
  say "three site brokers: 127.0.0.1:5681, 5682, 5683 (management 15681-15683)"
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
