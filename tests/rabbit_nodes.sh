#!/usr/bin/env bash
# Sourced by tests/cluster.sh and tests/sites.sh: three RabbitMQ nodes of
# the test broker's installation on this one machine, each with its own
# name, ports, data, logs and configuration under DIR/nN, all sharing an
# Erlang cookie in DIR (HOME for the nodes and for rabbitmqctl), so they
# never touch the test broker on 5672 or its files. The nodes are run from
# /usr/lib/rabbitmq/bin (LT_RABBIT_BIN), not through Debian's wrapper, which
# would switch to the rabbitmq user and its cookie.
#
# The sourcing script sets, before sourcing:
#   script     its name, for messages
#   prefix     the node names' prefix (node N is ${prefix}N@localhost)
#   amqp_base  node N listens on 127.0.0.1:(amqp_base + N) and its Erlang
#              distribution on (20000 + amqp_base + N)
#   mgmt_base  node N's management API on (mgmt_base + N), or empty for none
#   cookie     the shared cookie's text (one per script, the same in every
#              checkout: a node left by another checkout still answers a stop)
#   dir        the nodes' directory (absolute)
# and defines `write_node_config N D` (D/rabbitmq.conf and D/enabled_plugins).
# It gets: say, fatal, node_name, ctl, start_node, await_node, stop_node,
# kill_node, fresh_nodes (stop whatever holds the names and ports, wipe the
# data, start and await all three), and node_action (stop, stop-node,
# start-node).

bin=${LT_RABBIT_BIN:-/usr/lib/rabbitmq/bin}

say() { echo "$script: $*" >&2; }

fatal() {
  say "FATAL: $*"
  for log in "$dir"/n*/log/*.log; do
    [ -f "$log" ] || continue
    echo "--- last lines of $log" >&2
    tail -n 30 "$log" >&2 || true
  done
  exit 1
}

node_name() { echo "$prefix$1@localhost"; }
amqp_port() { echo $((amqp_base + $1)); }
dist_port() { echo $((20000 + amqp_base + $1)); }

ctl() {
  local n=$1
  shift
  HOME="$dir" "$bin/rabbitmqctl" -n "$(node_name "$n")" "$@"
}

env_of() {
  local n=$1 d="$dir/n$1"
  echo HOME="$dir" RABBITMQ_NODENAME="$(node_name "$n")" \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" RABBITMQ_DIST_PORT="$(dist_port "$n")" \
    RABBITMQ_BASE="$d" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_PID_FILE="$d/pid" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
}

start_node() {
  local n=$1 d="$dir/n$1"
  mkdir -p "$d/log"
  write_node_config "$n" "$d"
  echo "[]." >"$d/advanced.config"
  say "starting $(node_name "$n") on 127.0.0.1:$(amqp_port "$n")${mgmt_base:+ (management $((mgmt_base + n)))}"
  env $(env_of "$n") "$bin/rabbitmq-server" -detached \
    || fatal "rabbitmq-server did not start $(node_name "$n")"
}

# `await_startup` needs the node's VM to answer already: until it does (a
# node boots in some seconds, more on a loaded machine), ask again. Then
# the management API, where there is one, must answer too.
await_node() {
  local waited=0 limit=${LT_NODES_START_TIMEOUT:-180}
  until ctl "$1" await_startup --timeout 10 >/dev/null 2>&1; do
    waited=$((waited + 2))
    [ "$waited" -lt "$limit" ] || fatal "$(node_name "$1") did not finish booting in ${limit}s"
    sleep 2
  done
  [ -n "$mgmt_base" ] || return 0
  until (exec 3<>"/dev/tcp/127.0.0.1/$((mgmt_base + $1))") 2>/dev/null; do
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

# A node that does not answer a stop (still booting, another cookie, an
# earlier run's) goes by the ports it holds: nothing else uses them.
kill_node() {
  local port
  for port in $(dist_port "$1") $(amqp_port "$1") ${mgmt_base:+$((mgmt_base + $1))}; do
    fuser -k -n tcp "$port" >/dev/null 2>&1 || true
  done
  for _ in $(seq 1 50); do
    fuser -n tcp "$(dist_port "$1")" >/dev/null 2>&1 || return 0
    sleep 0.2
  done
  fatal "$(node_name "$1") still holds port $(dist_port "$1")"
}

# Three new nodes, whatever an earlier run left behind.
fresh_nodes() {
  [ -x "$bin/rabbitmq-server" ] || fatal "no rabbitmq-server in $bin (run tests/broker.sh first)"
  if [ ! -f "$dir/.erlang.cookie" ]; then
    echo "$cookie" >"$dir/.erlang.cookie"
    chmod 400 "$dir/.erlang.cookie"
  fi
  for n in 1 2 3; do stop_node "$n"; done
  for n in 1 2 3; do kill_node "$n"; done
  rm -rf "$dir"/n1 "$dir"/n2 "$dir"/n3
  for n in 1 2 3; do start_node "$n"; done
  for n in 1 2 3; do await_node "$n"; done
}

# The actions both scripts share; `start` is each script's own.
node_action() {
  case $1 in
  stop)
    for n in 1 2 3; do stop_node "$n" || true; done
    for n in 1 2 3; do kill_node "$n"; done
    ;;
  stop-node)
    stop_node "${2:?node number}"
    ;;
  start-node)
    start_node "${2:?node number}"
    await_node "$2"
    ;;
  *)
    fatal "unknown action $1"
    ;;
  esac
}
