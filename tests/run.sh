#!/usr/bin/env bash
# The one command that runs every test of lienthong on a fresh machine:
#   bash tests/run.sh
# It installs what is missing (cargo-nextest; RabbitMQ, through
# tests/broker.sh; Chromium, ChromeDriver and axe-core, through
# tests/browser.sh; grpcio and kubernetes-validate, through tests/tools.sh),
# then runs the whole suite: unit tests and the integration tests in
# tests/it/ (real sled on disk, real gRPC on loopback, a real RabbitMQ on
# 127.0.0.1:5672, the real binary killed with SIGKILL, real headless Chromium
# driving the web pages, stock Python gRPC clients).
set -euo pipefail
cd "$(dirname "$0")/.."

# A broker on 127.0.0.1:5672 (guest/guest) and rabbitmqctl on PATH, or stop
# here: the AMQP tests are never skipped. Sourced, so the PATH it fixes and
# its helpers (apply_test_policies) reach the tests.
if ! source tests/broker.sh; then
  echo "tests/run.sh: no RabbitMQ broker (see above); not running the tests" >&2
  exit 1
fi

# Chromium, ChromeDriver and axe-core for the browser suite (tests/it/web/),
# or stop here: those tests are never skipped either.
if ! source tests/browser.sh; then
  echo "tests/run.sh: the browser suite's tools are missing (see above); not running the tests" >&2
  exit 1
fi

# Stock Python tools (a grpcurl stand-in on grpcio, kubernetes-validate) in
# target/python-tools, systemd-analyze and promtool, or stop here.
if ! source tests/tools.sh; then
  echo "tests/run.sh: the Python test tools are missing (see above); not running the tests" >&2
  exit 1
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "tests/run.sh: installing cargo-nextest" >&2
  cargo install cargo-nextest --locked
fi

cargo nextest run --workspace --no-fail-fast "$@"
