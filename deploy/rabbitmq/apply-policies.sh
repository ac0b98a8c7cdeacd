#!/usr/bin/env bash
# Applies lienthong's two RabbitMQ policies for one hub prefix:
#
#   bash deploy/rabbitmq/apply-policies.sh [PREFIX]      (default: lienthong)
#
#   <PREFIX>-partner-queues  ^<PREFIX>\.partner\.  dead-letter to <PREFIX>.dlx,
#                                                 delivery-limit 20
#   <PREFIX>-commands        ^<PREFIX>\.commands$  dead-letter to <PREFIX>.dlx,
#                                                 delivery-limit 5
#
# Both apply to queues only, with priority 10. `rabbitmqctl set_policy`
# replaces a policy of the same name, so running this again is harmless, and
# running it with other limits changes them on live queues (that is why these
# settings are policies, not queue arguments). Run it as root or as the
# rabbitmq user, on a node of the cluster (policies are cluster-wide).
#
# Environment (optional):
#   RABBITMQ_VHOST            vhost to apply to (default /)
#   PARTNER_DELIVERY_LIMIT    default 20
#   COMMAND_DELIVERY_LIMIT    default 5
#   RABBITMQCTL               the rabbitmqctl to call (default rabbitmqctl)
set -euo pipefail

prefix=${1:-lienthong}
vhost=${RABBITMQ_VHOST:-/}
partner_limit=${PARTNER_DELIVERY_LIMIT:-20}
command_limit=${COMMAND_DELIVERY_LIMIT:-5}
ctl=${RABBITMQCTL:-rabbitmqctl}

die() {
  echo "apply-policies.sh: $*" >&2
  exit 1
}

# The hub accepts the same prefixes (`[amqp] prefix`): 1 to 64 letters,
# digits, `-` or `_`. Refusing anything else also keeps the JSON below sound.
if [[ ! $prefix =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
  die "invalid prefix '$prefix': must be 1 to 64 letters, digits, '-' or '_' (as [amqp] prefix)"
fi
for limit in "$partner_limit" "$command_limit"; do
  [[ $limit =~ ^[1-9][0-9]{0,8}$ ]] || die "invalid delivery limit '$limit': must be a positive integer"
done
if ! command -v "$ctl" >/dev/null 2>&1; then
  PATH=$PATH:/usr/sbin:/sbin
  command -v "$ctl" >/dev/null 2>&1 || die "'$ctl' not found: install rabbitmq-server or set RABBITMQCTL"
fi

# Escapes every character that means something in a regular expression, so
# the prefix is matched literally whatever it contains.
# (`-` needs no escape outside a bracket expression.)
regex_escape() {
  local s=$1 meta='\.^$|?*+()[]{}' out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ $meta == *"$c"* ]]; then out+="\\$c"; else out+=$c; fi
  done
  printf '%s' "$out"
}

p=$(regex_escape "$prefix")
dlx="$prefix.dlx"

set_policy() {
  local name=$1 pattern=$2 definition=$3
  echo "apply-policies.sh: vhost '$vhost': policy $name: $pattern -> $definition" >&2
  "$ctl" -q set_policy --vhost "$vhost" --apply-to queues --priority 10 \
    "$name" "$pattern" "$definition"
}

set_policy "$prefix-partner-queues" "^$p\\.partner\\." \
  "{\"dead-letter-exchange\":\"$dlx\",\"delivery-limit\":$partner_limit}"
set_policy "$prefix-commands" "^$p\\.commands\$" \
  "{\"dead-letter-exchange\":\"$dlx\",\"delivery-limit\":$command_limit}"
