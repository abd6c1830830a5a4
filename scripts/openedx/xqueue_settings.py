"""Local XQueue settings for activation-lab's tests and a single-host course: SQLite (WAL), loopback only.

Copied next to XQueue's own ``xqueue/settings.py`` by ``scripts/setup-openedx.sh`` and selected with
``DJANGO_SETTINGS_MODULE=xqueue.activation_lab_settings``. Everything a run varies comes from environment
variables, so one installed copy serves every test and the benchmark.
"""

import os

from xqueue.settings import *  # noqa: F403  (XQueue's defaults, then our overrides)

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECRET_KEY = os.environ.get("ACTIVATION_LAB_XQUEUE_SECRET", "activation-lab-local-only")

# SQLite with WAL and a lock timeout: gunicorn's threads write concurrently (push, pull, put_result).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("ACTIVATION_LAB_XQUEUE_DB", "xqueue.sqlite"),
        "OPTIONS": {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        },
    }
}

# Queue names (comma-separated); every one is a pull queue (value None) served by xqueue-watcher.
XQUEUES = {
    name.strip(): None
    for name in os.environ.get("ACTIVATION_LAB_XQUEUE_QUEUES", "activation-lab").split(",")
    if name.strip()
}

# `manage.py update_users` creates these. The LMS and the watchers each log in with one.
USERS = {
    os.environ.get("ACTIVATION_LAB_XQUEUE_LMS_USER", "lms"): os.environ.get(
        "ACTIVATION_LAB_XQUEUE_LMS_PASSWORD", "lms-password"
    ),
    os.environ.get("ACTIVATION_LAB_XQUEUE_WATCHER_USER", "watcher"): os.environ.get(
        "ACTIVATION_LAB_XQUEUE_WATCHER_PASSWORD", "watcher-password"
    ),
}

# xqueue-watcher's first login has a 1 s timeout and no retry; a slow password hash on a busy host kills it.
# A fast hasher is acceptable only because these accounts live on loopback with throw-away passwords.
if os.environ.get("ACTIVATION_LAB_XQUEUE_FAST_HASHER", "1") == "1":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Minutes before a pulled but unanswered submission is handed out again (XQueue's default is 1).
SUBMISSION_PROCESSING_DELAY = float(os.environ.get("ACTIVATION_LAB_XQUEUE_PROCESSING_DELAY_MIN", "1"))

# Console logging only: XQueue's default writes to a folder beside its checkout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(name)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACTIVATION_LAB_XQUEUE_LOGLEVEL", "WARNING")},
}
