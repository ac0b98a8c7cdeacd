#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers AMQP on 127.0.0.1:5672 with guest/guest
# and that `rabbitmqctl` is on PATH, before the tests run:
#
#   bash tests/broker.sh          # or, to keep PATH and the helpers below:
#   source tests/broker.sh        # (tests/run.sh does this)
#
# Idempotent: when the broker already answers it only checks it (about two
# seconds). Otherwise, on a Debian machine, as root:
#   - installs rabbitmq-server with apt-get if it is missing (first seeding
#     /etc/rabbitmq with a loopback-only listener and the node name
#     rabbit@localhost, unless a configuration is already there);
#   - starts the node with `rabbitmq-server -detached` (no systemd needed), or
#     `rabbitmqctl start_app` when the node runs with its application stopped;
#   - waits until `rabbitmqctl await_startup` succeeds and the port speaks
#     AMQP, for up to LT_BROKER_START_TIMEOUT seconds (default 120).
# Then it checks that guest/guest authenticates and may use the vhost `/`.
#
# Anything it cannot fix is a loud failure with the broker's logs: the AMQP
# tests are never skipped for want of a broker. Everything it does is said on
# stderr.
#
# Sourcing also defines (and exports to child bash processes):
#   apply_test_policies PREFIX   the hub's two policies for one test prefix
#                                (dead-letter to PREFIX.dlx, delivery limits),
#                                via deploy/rabbitmq/apply-policies.sh
#   remove_test_policies PREFIX  removes them again
# RabbitMQ cannot template a policy's dead-letter exchange from the queue
# name, so each test prefix (`lt-…`) needs its own pair. Test code that does
# not run in bash can call `bash deploy/rabbitmq/apply-policies.sh PREFIX`.
#
# It also makes sure the broker has a TLS listener on 127.0.0.1:5671 for the
# amqps:// tests (tests/it/amqp/tls.rs): peers verified against a CA made
# here (`verify_peer`, `fail_if_no_peer_cert`). The CA, the broker's
# certificate (localhost, 127.0.0.1) and a client certificate for the hub
# (CN=lienthong-hub-test, PKCS#8 key) are made with openssl in
# LT_BROKER_TLS_DIR (default /etc/rabbitmq/lienthong-test-tls) when missing.
# The listener needs a node restart the first time only (the listener is in
# rabbitmq.conf, read at boot): when 5671 already answers, nothing is touched.
# Other tests use 5672, which stays as it is.
#
# Environment (optional): LT_BROKER_PORT (default: the port of
# LIENTHONG_TEST_AMQP_URL when that names 127.0.0.1 or localhost, as the tests
# read it, else 5672), LT_BROKER_START_TIMEOUT (seconds, default 120);
# RABBITMQ_NODENAME and the other RABBITMQ_* variables are honoured by
# rabbitmqctl and rabbitmq-server.

_lt_broker_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_lt_broker_say() {
  echo "tests/broker.sh: $*" >&2
}

# The loud failure: what went wrong, what to do, and the broker's own words.
_lt_broker_fatal() {
  local port=${_lt_broker_port:-5672} logs=${RABBITMQ_LOG_BASE:-/var/log/rabbitmq} f
  {
    echo
    echo "######################################################################"
    echo "tests/broker.sh: FATAL: $*"
    echo "The tests need RabbitMQ on 127.0.0.1:$port (user guest/guest)."
    echo "They are not skipped without it: fix the broker and run them again."
    echo "######################################################################"
    for f in "$logs/startup_err" "$logs/startup_log" \
      $(ls -t "$logs"/*.log 2>/dev/null | grep -v '_upgrade\.log$' | head -n 1); do
      if [[ -s $f ]]; then
        echo "----- last lines of $f -----"
        tail -n 25 "$f"
      fi
    done
    echo "######################################################################"
  } >&2
  return 1
}

# True when the port answers the AMQP 0-9-1 protocol header with a frame
# (Connection.Start begins with frame type 1), not merely accepts TCP.
_lt_amqp_answers() {
  local port=$1 first
  first=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "AMQP\x00\x00\x09\x01" >&3
    head -c 1 <&3 | od -An -tx1' "$port" 2>/dev/null) || return 1
  [[ ${first// /} == 01 ]]
}

_lt_rabbitmq_installed() {
  if command -v dpkg-query >/dev/null 2>&1; then
    [[ $(dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null) == "install ok installed" ]] \
      && command -v rabbitmqctl >/dev/null 2>&1
  else
    command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1
  fi
}

# Before the first install only: a loopback-only broker whose node name does
# not depend on the host name resolving (containers often get one that does
# not). The package keeps files that already exist.
_lt_seed_config() {
  local port=$1
  mkdir -p /etc/rabbitmq || return 1
  if [[ ! -e /etc/rabbitmq/rabbitmq.conf ]]; then
    _lt_broker_say "writing /etc/rabbitmq/rabbitmq.conf (listener 127.0.0.1:$port only)"
    printf 'listeners.tcp.local = 127.0.0.1:%s\n' "$port" >/etc/rabbitmq/rabbitmq.conf || return 1
  fi
  if [[ ! -e /etc/rabbitmq/rabbitmq-env.conf ]]; then
    _lt_broker_say "writing /etc/rabbitmq/rabbitmq-env.conf (node rabbit@localhost, Erlang distribution on loopback)"
    cat >/etc/rabbitmq/rabbitmq-env.conf <<'ENV' || return 1
NODENAME=rabbit@localhost
ERL_EPMD_ADDRESS=127.0.0.1
export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENV
  fi
}

_lt_install_rabbitmq() {
  local port=$1 started=$SECONDS
  if [[ $(id -u) -ne 0 ]]; then
    _lt_broker_fatal "rabbitmq-server is not installed, and installing it needs root (run: apt-get install rabbitmq-server)"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    _lt_broker_fatal "rabbitmq-server is not installed and there is no apt-get here: install RabbitMQ 3.10 or newer by hand"
    return 1
  fi
  _lt_seed_config "$port" || {
    _lt_broker_fatal "could not write the RabbitMQ configuration in /etc/rabbitmq"
    return 1
  }
  _lt_broker_say "rabbitmq-server is not installed: apt-get update"
  if ! apt-get -q -o DPkg::Lock::Timeout=300 update >&2; then
    _lt_broker_fatal "apt-get update failed"
    return 1
  fi
  _lt_broker_say "apt-get install -y rabbitmq-server"
  if ! DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y rabbitmq-server >&2; then
    _lt_broker_fatal "apt-get install rabbitmq-server failed"
    return 1
  fi
  hash -r
  if ! _lt_rabbitmq_installed; then
    _lt_broker_fatal "apt-get reported success but rabbitmq-server/rabbitmqctl are still missing"
    return 1
  fi
  _lt_broker_say "installed rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) in $((SECONDS - started)) s"
}

# Closes every descriptor of this (sub)shell above stderr.
_lt_close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
      eval "exec $fd>&-" 2>/dev/null || true
    fi
  done
}

# Waits until the application has booted and the port speaks AMQP.
_lt_wait_for_broker() {
  local port=$1 timeout=$2 deadline=$((SECONDS + $2)) ever_up=0 booted_at=''
  while ((SECONDS < deadline)); do
    if rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
      ever_up=1
      if rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1; then
        if _lt_amqp_answers "$port"; then
          return 0
        fi
        booted_at=${booted_at:-$SECONDS}
        if ((SECONDS - booted_at > 15)); then
          _lt_broker_fatal "the node has started, but nothing answers AMQP on 127.0.0.1:$port: check the listeners in /etc/rabbitmq/rabbitmq.conf"
          return 1
        fi
      fi
    elif ((ever_up)); then
      _lt_broker_fatal "the RabbitMQ node stopped while it was starting (to see why, run it in the foreground: rabbitmq-server)"
      return 1
    elif ((SECONDS > deadline - timeout + 60)); then
      _lt_broker_fatal "the RabbitMQ node did not come up within 60 s of being started (to see why, run it in the foreground: rabbitmq-server)"
      return 1
    fi
    sleep 1
  done
  _lt_broker_fatal "RabbitMQ did not finish starting within $timeout s"
  return 1
}

_lt_check_guest() {
  if ! rabbitmqctl -q authenticate_user guest guest >/dev/null 2>&1; then
    _lt_broker_fatal "user guest/guest does not authenticate. To restore it: rabbitmqctl add_user guest guest (or change_password guest guest); rabbitmqctl set_user_tags guest administrator; rabbitmqctl set_permissions -p / guest '.*' '.*' '.*'"
    return 1
  fi
  local permissions
  permissions=$(rabbitmqctl -q list_permissions -p / 2>/dev/null) || {
    _lt_broker_fatal "rabbitmqctl list_permissions -p / failed (does the vhost / exist?)"
    return 1
  }
  if ! grep -Eq '^guest[[:space:]]+\.\*[[:space:]]+\.\*[[:space:]]+\.\*$' <<<"$permissions"; then
    _lt_broker_fatal "user guest lacks full permissions on vhost /. To grant them: rabbitmqctl set_permissions -p / guest '.*' '.*' '.*'"
    return 1
  fi
}

# The local port the tests connect to.
_lt_broker_port_of_tests() {
  local url=${LIENTHONG_TEST_AMQP_URL:-}
  if [[ -n ${LT_BROKER_PORT:-} ]]; then
    echo "$LT_BROKER_PORT"
  elif [[ $url =~ ^amqp://([^@/]*@)?(127\.0\.0\.1|localhost)(:([0-9]+))?(/|$) ]]; then
    echo "${BASH_REMATCH[4]:-5672}"
  else
    if [[ -n $url ]]; then
      _lt_broker_say "warning: LIENTHONG_TEST_AMQP_URL is not an amqp:// URL on 127.0.0.1 or localhost; this script only looks after the local broker on port 5672"
    fi
    echo 5672
  fi
}

lt_broker_ensure() {
  _lt_broker_port=$(_lt_broker_port_of_tests)
  local port=$_lt_broker_port timeout=${LT_BROKER_START_TIMEOUT:-120} started=$SECONDS
  if [[ ! $port =~ ^[0-9]+$ || ! $timeout =~ ^[0-9]+$ ]]; then
    _lt_broker_fatal "LT_BROKER_PORT and LT_BROKER_START_TIMEOUT must be numbers"
    return 1
  fi
  # Debian puts the RabbitMQ tools in /usr/sbin, which a non-root PATH lacks.
  if ! command -v rabbitmqctl >/dev/null 2>&1; then
    case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac
    case ":$PATH:" in *:/sbin:*) ;; *) PATH=$PATH:/sbin ;; esac
    export PATH
  fi

  if _lt_amqp_answers "$port"; then
    _lt_broker_say "RabbitMQ answers on 127.0.0.1:$port"
    if ! command -v rabbitmqctl >/dev/null 2>&1; then
      _lt_broker_fatal "a broker answers on 127.0.0.1:$port but rabbitmqctl is not installed here (the tests set policies with it): install rabbitmq-server"
      return 1
    fi
    if ! rabbitmqctl -q await_startup --timeout 30 >/dev/null 2>&1; then
      _lt_broker_fatal "a broker answers on 127.0.0.1:$port, but rabbitmqctl cannot reach its node (another broker? wrong node name or Erlang cookie?)"
      return 1
    fi
  else
    if ! _lt_rabbitmq_installed; then
      _lt_install_rabbitmq "$port" || return 1
    fi
    # The package's post-install script may have started it already.
    if _lt_amqp_answers "$port"; then
      _lt_broker_say "RabbitMQ answers on 127.0.0.1:$port"
    else
      if rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
        if rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then
          _lt_broker_say "the RabbitMQ node is running (or booting); waiting for it"
        else
          # A node whose application a previous test stopped (stop_app).
          _lt_broker_say "the RabbitMQ node runs with its application stopped: rabbitmqctl start_app"
          # It may also be booting right now, which start_app waits out.
          rabbitmqctl -q start_app >&2 || _lt_broker_say "start_app failed; waiting in case the node is booting"
        fi
      else
        if [[ $(id -u) -ne 0 ]] && [[ $(id -un) != rabbitmq ]]; then
          _lt_broker_fatal "RabbitMQ is not running, and only root or the rabbitmq user may start it (run: rabbitmq-server -detached)"
          return 1
        fi
        _lt_broker_say "RabbitMQ is not running: rabbitmq-server -detached"
        # The node outlives this shell: it must not inherit its descriptors
        # above stderr. Under `flock /tmp/lienthong-suite.lock bash
        # tests/run.sh` one of them is that lock, which a broker started
        # here would then hold for as long as it runs, and every later
        # landing would wait for it forever.
        if ! (cd / && _lt_close_inherited_fds && rabbitmq-server -detached) >&2; then
          _lt_broker_fatal "rabbitmq-server -detached failed"
          return 1
        fi
      fi
      _lt_broker_say "waiting up to $timeout s for RabbitMQ to start"
      _lt_wait_for_broker "$port" "$timeout" || return 1
      _lt_broker_say "RabbitMQ is up on 127.0.0.1:$port after $((SECONDS - started)) s"
    fi
  fi

  _lt_check_guest || return 1
  _lt_broker_say "ready: $(rabbitmqctl -q version 2>/dev/null || echo '?') on 127.0.0.1:$port, guest/guest, rabbitmqctl is $(command -v rabbitmqctl)"
}

_lt_tls_dir() {
  echo "${LT_BROKER_TLS_DIR:-/etc/rabbitmq/lienthong-test-tls}"
}

_lt_port_open() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# The test PKI, made once: a CA, the broker's certificate and the hub's
# client certificate, readable by the broker (group rabbitmq).
_lt_make_test_pki() {
  local dir=$1
  if [[ -s $dir/ca.crt && -s $dir/server.crt && -s $dir/client.crt && -s $dir/client.key ]]; then
    return 0
  fi
  if ! command -v openssl >/dev/null 2>&1; then
    _lt_broker_say "openssl is missing: apt-get install -y openssl"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y openssl >&2 || return 1
  fi
  _lt_broker_say "making the amqps test CA and certificates in $dir"
  mkdir -p "$dir" || return 1
  (
    set -e
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/CN=lienthong test broker CA" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=lienthong-hub-test" -keyout client.key -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile client.ext -out client.crt 2>/dev/null
    rm -f server.csr client.csr server.ext client.ext
    chmod 0755 .
    chmod 0644 ./*.crt
    chmod 0640 ./*.key
    if getent group rabbitmq >/dev/null; then chgrp rabbitmq ./*.key; fi
  ) || return 1
}

# A TLS listener on 5671 with verify_peer, or a loud failure. Restarts the
# node only when the listener is not there yet.
lt_broker_tls_ensure() {
  local dir conf=/etc/rabbitmq/rabbitmq.conf port=5671
  dir=$(_lt_tls_dir)
  if _lt_port_open "$port" && [[ -s $dir/client.crt ]]; then
    _lt_broker_say "RabbitMQ's TLS listener answers on 127.0.0.1:$port"
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    _lt_broker_fatal "RabbitMQ has no TLS listener on 127.0.0.1:$port, and setting one up needs root"
    return 1
  fi
  _lt_make_test_pki "$dir" || {
    _lt_broker_fatal "could not make the amqps test certificates in $dir"
    return 1
  }
  if ! grep -q '^listeners.ssl.local' "$conf" 2>/dev/null; then
    _lt_broker_say "adding a TLS listener (127.0.0.1:$port, verify_peer) to $conf"
    cat >>"$conf" <<CONF || return 1
listeners.ssl.local = 127.0.0.1:$port
ssl_options.cacertfile = $dir/ca.crt
ssl_options.certfile = $dir/server.crt
ssl_options.keyfile = $dir/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
CONF
  fi
  _lt_broker_say "restarting RabbitMQ so that it opens its TLS listener (once)"
  rabbitmqctl -q stop >&2 || _lt_broker_say "rabbitmqctl stop failed; starting anyway"
  # Without the caller's descriptors, as at the first start: a node that
  # kept a lock file's descriptor (flock around the test command) would
  # hold that lock for as long as it runs.
  if ! (cd / && _lt_close_inherited_fds && rabbitmq-server -detached) >&2; then
    _lt_broker_fatal "rabbitmq-server -detached failed"
    return 1
  fi
  _lt_wait_for_broker "$_lt_broker_port" "${LT_BROKER_START_TIMEOUT:-120}" || return 1
  local deadline=$((SECONDS + 30))
  until _lt_port_open "$port"; do
    if ((SECONDS > deadline)); then
      _lt_broker_fatal "RabbitMQ restarted but nothing listens on 127.0.0.1:$port (see ssl_options in $conf)"
      return 1
    fi
    sleep 1
  done
  _lt_broker_say "RabbitMQ's TLS listener answers on 127.0.0.1:$port"
}

# The plugins of deploy/rabbitmq/enabled_plugins (shovels, the management
# API the hub declares them through), enabled on the running node when one
# is missing: a site's broker runs them (deploy/rabbitmq/README.md, "Between
# sites"). Online, no restart.
lt_broker_plugins_ensure() {
  local wanted enabled missing=()
  wanted=$(tr -d '[].\n' <"$_lt_broker_root/deploy/rabbitmq/enabled_plugins" | tr ',' ' ')
  enabled=$(rabbitmq-plugins -q list -e -m 2>/dev/null) || {
    _lt_broker_fatal "rabbitmq-plugins list failed: cannot see the broker's plugins"
    return 1
  }
  for plugin in $wanted; do
    grep -qx "$plugin" <<<"$enabled" || missing+=("$plugin")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  _lt_broker_say "enabling the RabbitMQ plugins ${missing[*]}"
  if ! rabbitmq-plugins -q enable "${missing[@]}" >&2; then
    _lt_broker_fatal "rabbitmq-plugins enable ${missing[*]} failed"
    return 1
  fi
}

apply_test_policies() {
  [[ $# -eq 1 ]] || { echo "usage: apply_test_policies PREFIX" >&2; return 2; }
  bash "$_lt_broker_root/deploy/rabbitmq/apply-policies.sh" "$1"
}

remove_test_policies() {
  [[ $# -eq 1 ]] || { echo "usage: remove_test_policies PREFIX" >&2; return 2; }
  rabbitmqctl -q clear_policy "$1-partner-queues" &&
    rabbitmqctl -q clear_policy "$1-commands"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  lt_broker_ensure || exit 1
  lt_broker_tls_ensure || exit 1
  lt_broker_plugins_ensure || exit 1
else
  export _lt_broker_root
  export -f apply_test_policies remove_test_policies
  lt_broker_ensure || return 1
  lt_broker_tls_ensure || return 1
  lt_broker_plugins_ensure || return 1
fi
