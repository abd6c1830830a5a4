#!/usr/bin/env bash
# One-time set-up on a fresh machine: the sandbox tool (bubblewrap) and the project with its dev extras.
# Safe to run again; it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing bubblewrap (the grading sandbox)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  else
    echo "setup: WARNING: bubblewrap (bwrap) is not installed and cannot be installed here;" >&2
    echo "setup: grading falls back to the weaker rlimit sandbox (see docs/security.md)." >&2
  fi
fi

python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
