"""``activation-lab openedx watcher-config``: xqueue-watcher's config root for one queue and our plug-in.

Writes ``xqwatcher.json`` (timeouts), ``xqueue_servers.json`` (server URL and the watcher's XQueue account,
mode 0600), ``logging.json`` and ``conf.d/<queue>.json`` (the queue, how many polling connections, and the
HANDLER ``activation_lab.integrations.openedx.watcher.ActivationLabGrader``). Run it as
``xqueue-watcher -d OUT``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from activation_lab.errors import UsageError

HANDLER = "activation_lab.integrations.openedx.watcher.ActivationLabGrader"
SERVER_REF = "activation-lab"
# xqueue-watcher's 1 s default request timeout lets a slow login or put_result kill a poller or drop a reply.
MANAGER = {"POLL_TIME": 10, "REQUESTS_TIMEOUT": 30, "POLL_INTERVAL": 1, "LOGIN_POLL_INTERVAL": 5}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(process)d [%(name)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "level": "INFO"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}


def _write_json(path: Path, data: Any, mode: int = 0o644) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def queue_config(queue: str, connections: int, course_root: Path | None) -> dict[str, Any]:
    """The ``conf.d`` JSON for ``queue``."""
    kwargs: dict[str, Any] = {"fork_per_item": True}
    if course_root is not None:
        kwargs["course_root"] = str(Path(course_root).resolve())
    return {
        queue: {
            "SERVER_REF": SERVER_REF,
            "CONNECTIONS": connections,
            "HANDLERS": [{"HANDLER": HANDLER, "KWARGS": kwargs}],
        }
    }


def write_watcher_config(
    out: Path,
    *,
    queue: str,
    server: str,
    user: str,
    password: str,
    connections: int = 1,
    course_root: Path | None = None,
) -> list[Path]:
    """Write the config root ``out``; returns the files written."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}", queue):
        raise UsageError(f"queue name {queue!r}: use letters, digits, '-', '_' or '.'")
    if not re.match(r"https?://", server):
        raise UsageError(f"--server {server!r} must be an http:// or https:// URL of XQueue")
    if connections < 1:
        raise UsageError("--connections must be at least 1")
    if not password:
        raise UsageError("no XQueue password: set ACTIVATION_LAB_XQUEUE_PASSWORD or give --password-file")
    out = Path(out)
    (out / "conf.d").mkdir(parents=True, exist_ok=True)
    files = {
        out / "xqwatcher.json": (MANAGER, 0o644),
        out / "logging.json": (LOGGING, 0o644),
        out / "xqueue_servers.json": (
            {SERVER_REF: {"SERVER": server.rstrip("/"), "AUTH": [user, password]}},
            0o600,
        ),
        out / "conf.d" / f"{queue}.json": (queue_config(queue, connections, course_root), 0o644),
    }
    for path, (data, mode) in files.items():
        _write_json(path, data, mode)
    return list(files)
