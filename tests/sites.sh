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
# Node N listens for AMQP on 127.0.0.1:5680+N (distribution 25680+N,
# management API 15680+N) with the plugins a site's broker needs,
# deploy/rabbitmq/enabled_plugins: rabbitmq_shovel (the links) and
# rabbitmq_management (through which the hub declares them). How the nodes
# are run, kept apart from the test broker and the cluster of
# tests/cluster.sh, and stopped is tests/rabbit_nodes.sh's. `start` stops
# nodes left by an earlier run first; every failure is loud, with the nodes'
# logs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
action=${1:?usage: tests/sites.sh start|stop|stop-node|start-node DIR [N]}
dir=${2:?the sites directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
script=tests/sites.sh prefix=lts amqp_base=5680 mgmt_base=15680
cookie=LIENTHONGTESTSITESCOOKIE
source "$root/tests/rabbit_nodes.sh"

write_node_config() {
  cat >"$2/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$(amqp_port "$1")
management.tcp.ip = 127.0.0.1
management.tcp.port = $((mgmt_base + $1))
loopback_users = none
CONF
  # What a site's broker runs: deploy/rabbitmq/enabled_plugins.
  cp "$root/deploy/rabbitmq/enabled_plugins" "$2/enabled_plugins"
}

case $action in
start)
  fresh_nodes
  say "three site brokers: 127.0.0.1:5681, 5682, 5683 (management 15681-15683)"
  ;;
*)
  node_action "$action" "${3:-}"
  ;;
esac
