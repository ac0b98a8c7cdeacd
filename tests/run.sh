#!/usr/bin/env bash
# The one command that runs every test of lienthong on a fresh machine:
#   bash tests/run.sh
# It installs what is missing (cargo-nextest), then runs the whole suite:
# unit tests and the integration tests in tests/it/ (real sled on disk, real
# gRPC on loopback, the real binary killed with SIGKILL).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "tests/run.sh: installing cargo-nextest" >&2
  cargo install cargo-nextest --locked
fi

cargo nextest run --workspace --no-fail-fast "$@"
