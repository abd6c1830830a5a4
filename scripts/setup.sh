#!/usr/bin/env bash
# One-time set-up on a fresh machine: bubblewrap (the sandbox), a Hangul font, and the project with its dev extras.
# Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: bubblewrap (the grading sandbox), a Hangul font (Korean labels in `quiz stats` charts) and
# chromium (the headless browser the class report's test drives through Playwright; never `playwright install`).
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-nanum 2>/dev/null | grep -q 'install ok installed' || missing+=(fonts-nanum)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: WARNING: cannot install ${missing[*]} here (needs root and apt-get)." >&2
    echo "setup: without bubblewrap, grading falls back to the weaker sandbox (docs/security.md);" >&2
    echo "setup: without a Hangul font, Korean charts use English labels;" >&2
    echo "setup: without chromium, the class report's browser test is skipped." >&2
  fi
fi

python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# Open edX's XQueue and xqueue-watcher for the integration tests, built from the snapshots in
# ../shared/thirdparty (or $ACTIVATION_LAB_THIRDPARTY) when they are there; quick when already built.
bash scripts/setup-openedx.sh
