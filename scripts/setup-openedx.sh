#!/usr/bin/env bash
# Open edX external-grader path for tests and a single-host course: two virtual environments built from the
# read-only snapshots in ../shared/thirdparty (or $ACTIVATION_LAB_THIRDPARTY), never from this repository.
#   xqueue venv : XQueue with its pinned requirements (minus mysqlclient: we use SQLite), our settings, a
#                 migrated template database with the LMS and watcher users.
#   watcher venv: xqueue-watcher + this checkout (pip install -e .[openedx]) + capa (xblocks-contrib, openedx-calc)
#                 for the parity tests. It sees the system site-packages, so the project's own dependencies are
#                 not installed twice.
# Two environments because xqueue-watcher upgrades python-dateutil past what XQueue's pinned botocore accepts.
# Idempotent: a stamp records what was built; a second run with nothing changed takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
thirdparty=${ACTIVATION_LAB_THIRDPARTY:-$repo/../shared/thirdparty}
home=${ACTIVATION_LAB_OPENEDX_HOME:-$HOME/.cache/activation-lab/openedx}
py=${PYTHON:-python}

if [ ! -d "$thirdparty/xqueue" ] || [ ! -d "$thirdparty/xqueue-watcher" ]; then
  echo "setup-openedx: no XQueue/xqueue-watcher snapshots at $thirdparty; skipping (Open edX tests will skip)." >&2
  exit 0
fi
thirdparty=$(cd "$thirdparty" && pwd)

# The stamp covers this script, our XQueue settings, pyproject (the openedx extra) and the snapshots' contents.
stamp_input() {
  cat "$repo/scripts/setup-openedx.sh" "$repo/scripts/openedx/xqueue_settings.py" "$repo/pyproject.toml"
  echo "$repo"
  (cd "$thirdparty" && find xqueue xqueue-watcher -type f \( -name '*.py' -o -name '*.txt' -o -name '*.toml' \) \
     -printf '%P %s %T@\n' | sort)
}
want=$(stamp_input | sha256sum | cut -d' ' -f1)
mkdir -p "$home"
exec 9>"$home/.lock"
flock 9   # two checkouts (or a test and CI) setting up at once wait for each other instead of mixing builds
if [ -f "$home/stamp" ] && [ "$(cat "$home/stamp")" = "$want" ] \
   && [ -x "$home/xqueue-venv/bin/python" ] && [ -x "$home/watcher-venv/bin/xqueue-watcher" ]; then
  exit 0
fi

echo "setup-openedx: building XQueue and xqueue-watcher environments in $home" >&2
mkdir -p "$home"
rm -f "$home/stamp"
pipq() { "$1/bin/python" -m pip install --quiet --disable-pip-version-check "${@:2}"; }

# --- XQueue ---------------------------------------------------------------------------------------------------
rm -rf "$home/src/xqueue"
mkdir -p "$home/src"
cp -r "$thirdparty/xqueue" "$home/src/xqueue"
chmod -R u+w "$home/src/xqueue"
cp "$repo/scripts/openedx/xqueue_settings.py" "$home/src/xqueue/xqueue/activation_lab_settings.py"
[ -x "$home/xqueue-venv/bin/python" ] || "$py" -m venv "$home/xqueue-venv"
grep -v '^mysqlclient' "$home/src/xqueue/requirements.txt" > "$home/xqueue-requirements.txt"
pipq "$home/xqueue-venv" -r "$home/xqueue-requirements.txt"

# A migrated template database with the two users; each run copies it (tests never share a database).
rm -f "$home/template.sqlite"*
(
  cd "$home/src/xqueue"
  export DJANGO_SETTINGS_MODULE=xqueue.activation_lab_settings ACTIVATION_LAB_XQUEUE_DB="$home/template.sqlite"
  m() { "$home/xqueue-venv/bin/python" manage.py "$@" -v 0; }
  # Migration 0005 renames indexes that SQLite never created under those names ("Found wrong number (0) of
  # indexes"): the tables are already right after 0004, so it is recorded as applied without running.
  m migrate submission_queue 0004
  m migrate submission_queue 0005 --fake
  m migrate
  m update_users
  "$home/xqueue-venv/bin/python" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE'); c.close()" "$home/template.sqlite"
)

# --- xqueue-watcher + activation-lab + capa -------------------------------------------------------------------
rm -rf "$home/src/xqueue-watcher"
cp -r "$thirdparty/xqueue-watcher" "$home/src/xqueue-watcher"
chmod -R u+w "$home/src/xqueue-watcher"
[ -x "$home/watcher-venv/bin/python" ] || "$py" -m venv --system-site-packages "$home/watcher-venv"
pipq "$home/watcher-venv" "$home/src/xqueue-watcher" -e "$repo[openedx,capa]"

stamp_input | sha256sum | cut -d' ' -f1 > "$home/stamp"
echo "setup-openedx: ready ($home)" >&2
