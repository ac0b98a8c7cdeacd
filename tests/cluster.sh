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
# Node N listens for AMQP on 127.0.0.1:5690+N (distribution 25690+N) with
# the settings of deploy/rabbitmq/cluster.conf. How the nodes are run, kept
# apart from the test broker and stopped is tests/rabbit_nodes.sh's. `start`
# stops nodes left by an earlier run first; every failure is loud, with the
# nodes' logs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
action=${1:?usage: tests/cluster.sh start|stop|stop-node|start-node DIR [N]}
dir=${2:?the cluster directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
script=tests/cluster.sh prefix=ltc amqp_base=5690 mgmt_base=
cookie=LIENTHONGTESTCLUSTERCOOKIE
source "$root/tests/rabbit_nodes.sh"

# The settings of deploy/rabbitmq/cluster.conf, but its peer list and
# listener: this cluster's nodes have their own names and ports.
write_node_config() {
  grep -v -e '^#' -e '^$' -e '^cluster_formation' -e '^listeners' \
    "$root/deploy/rabbitmq/cluster.conf" >"$2/rabbitmq.conf"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$(amqp_port "$1")" >>"$2/rabbitmq.conf"
  echo "[]." >"$2/enabled_plugins"
}

case $action in
start)
  fresh_nodes
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
*)
  node_action "$action" "${3:-}"
  ;;
esac
