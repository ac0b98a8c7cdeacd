#!/usr/bin/env bash
# Makes sure the browser suite (tests/it/web/) has what it drives, before the
# tests run:
#
#   bash tests/browser.sh          # or, to keep the variables it exports:
#   source tests/browser.sh        # (tests/run.sh does this)
#
# - Debian's `chromium` and `chromium-driver` (apt-get update once, then
#   apt-get install, as root), when either is missing;
# - axe-core, the accessibility engine the suite injects into each page,
#   from the npm registry into a cache directory (never committed):
#   target/browser-tools/node_modules/axe-core (npm itself comes from
#   Debian's `npm` package when missing).
#
# Anything missing that it cannot install is a loud failure: the browser
# tests are never skipped. It exports LT_CHROMIUM, LT_CHROMEDRIVER and
# LT_AXE_CORE (the path of axe.min.js) for the tests.

_lt_browser_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_lt_axe_version=4.14.1

_lt_browser_say() {
  echo "tests/browser.sh: $*" >&2
}

_lt_browser_fatal() {
  {
    echo
    echo "######################################################################"
    echo "tests/browser.sh: FATAL: $*"
    echo "The browser tests need Chromium, ChromeDriver and axe-core."
    echo "They are not skipped without them: fix this and run them again."
    echo "######################################################################"
  } >&2
  return 1
}

_lt_apt_updated=0
_lt_apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    _lt_browser_fatal "$* missing, and installing needs root (run: apt-get install $*)"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    _lt_browser_fatal "$* missing and there is no apt-get here: install them by hand"
    return 1
  fi
  if ((_lt_apt_updated == 0)); then
    _lt_browser_say "apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=300 update >&2 || {
      _lt_browser_fatal "apt-get update failed"
      return 1
    }
    _lt_apt_updated=1
  fi
  _lt_browser_say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y "$@" >&2 || {
    _lt_browser_fatal "apt-get install $* failed"
    return 1
  }
  hash -r
}

lt_browser_ensure() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if ((${#missing[@]})); then
    _lt_apt_install "${missing[@]}" || return 1
  fi
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || {
    _lt_browser_fatal "chromium or chromedriver still missing after installing"
    return 1
  }

  local tools=$_lt_browser_root/target/browser-tools
  local axe=$tools/node_modules/axe-core/axe.min.js
  if [[ ! -s $axe ]] || ! grep -q "\"version\": \"$_lt_axe_version\"" "$tools/node_modules/axe-core/package.json" 2>/dev/null; then
    if ! command -v npm >/dev/null 2>&1; then
      _lt_apt_install npm || return 1
    fi
    mkdir -p "$tools" || return 1
    _lt_browser_say "npm install axe-core@$_lt_axe_version into $tools"
    npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error \
      "axe-core@$_lt_axe_version" >&2 || {
      _lt_browser_fatal "npm install axe-core@$_lt_axe_version failed"
      return 1
    }
    [[ -s $axe ]] || {
      _lt_browser_fatal "npm reported success but $axe is missing"
      return 1
    }
  fi

  LT_CHROMIUM=$(command -v chromium)
  LT_CHROMEDRIVER=$(command -v chromedriver)
  LT_AXE_CORE=$axe
  export LT_CHROMIUM LT_CHROMEDRIVER LT_AXE_CORE
  _lt_browser_say "ready: $("$LT_CHROMIUM" --version 2>/dev/null | head -n 1), $("$LT_CHROMEDRIVER" --version 2>/dev/null | cut -d' ' -f1-2), axe-core $_lt_axe_version"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  lt_browser_ensure || exit 1
else
  lt_browser_ensure || return 1
fi
