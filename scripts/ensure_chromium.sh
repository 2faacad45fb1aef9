#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing and we are root; otherwise
# say so loudly. Under CI a missing browser fails the browser tests (tests/browser/conftest.py).
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "!!! /usr/bin/chromium is missing: browser tests will be SKIPPED (FAIL under CI=true) !!!" >&2
fi
exit 0
