#!/usr/bin/env bash
# Makes sure the stock tools the suite drives from Python are there, before
# the tests run:
#
#   bash tests/tools.sh            # or, to keep the variable it exports:
#   source tests/tools.sh          # (tests/run.sh does this)
#
# A virtual environment in target/python-tools (never committed) with the
# pinned packages of tests/tools/requirements.txt from PyPI: grpcio and
# grpcio-reflection (tests/tools/grpc_call.py, the grpcurl stand-in that runs
# the README's examples) and kubernetes-validate (the Kubernetes manifests
# against the API's schemas). Reinstalled when the requirements change. And
# Debian's systemd, for `systemd-analyze verify` of the unit file, and Debian's
# prometheus, for promtool (the observability rules and a live scrape).
#
# Anything missing that it cannot install is a loud failure: those tests are
# never skipped. It exports LT_PYTHON, the environment's interpreter.

_lt_tools_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_lt_tools_fatal() {
  {
    echo
    echo "######################################################################"
    echo "tests/tools.sh: FATAL: $*"
    echo "The deploy and README-example tests need these Python packages."
    echo "They are not skipped without them: fix this and run them again."
    echo "######################################################################"
  } >&2
  return 1
}

lt_tools_ensure() {
  local venv=$_lt_tools_root/target/python-tools
  local requirements=$_lt_tools_root/tests/tools/requirements.txt
  local stamp=$venv/requirements.sha256
  local want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [[ ! -x $venv/bin/python3 ]] || [[ $(cat "$stamp" 2>/dev/null) != "$want" ]]; then
    command -v python3 >/dev/null 2>&1 || {
      _lt_tools_fatal "python3 is missing (apt-get install python3 python3-venv)"
      return 1
    }
    echo "tests/tools.sh: creating $venv" >&2
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >&2; then
      # Debian's python3 needs python3-venv for `-m venv`.
      if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y python3-venv >&2 &&
          python3 -m venv "$venv" >&2 || {
          _lt_tools_fatal "python3 -m venv failed, even after installing python3-venv"
          return 1
        }
      else
        _lt_tools_fatal "python3 -m venv failed (install python3-venv)"
        return 1
      fi
    fi
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2 || {
      _lt_tools_fatal "pip install -r $requirements failed"
      return 1
    }
    echo "$want" >"$stamp"
  fi
  # systemd-analyze, for `verify` of deploy/systemd/lienthong.service.
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "tests/tools.sh: apt-get install -y systemd (for systemd-analyze)" >&2
      DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y systemd >&2 || {
        _lt_tools_fatal "apt-get install systemd failed"
        return 1
      }
    else
      _lt_tools_fatal "systemd-analyze is missing (apt-get install systemd)"
      return 1
    fi
  fi
  # promtool (Debian's prometheus package), for the observability rules and
  # a live scrape (tests/it/observability.rs).
  if ! command -v promtool >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "tests/tools.sh: apt-get install -y prometheus (for promtool)" >&2
      DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends prometheus >&2 &&
        command -v promtool >/dev/null 2>&1 || {
        _lt_tools_fatal "apt-get install prometheus failed (promtool)"
        return 1
      }
    else
      _lt_tools_fatal "promtool is missing (apt-get install prometheus)"
      return 1
    fi
  fi
  LT_PYTHON=$venv/bin/python3
  export LT_PYTHON
  echo "tests/tools.sh: ready: $("$LT_PYTHON" --version), $(grep -c '==' "$requirements") pinned packages" >&2
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  lt_tools_ensure || exit 1
else
  lt_tools_ensure || return 1
fi
