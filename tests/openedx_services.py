"""Test support: run the real XQueue and xqueue-watcher on loopback, and play the LMS that submits to them.

The services come from the environments ``scripts/setup-openedx.sh`` builds from the read-only snapshots in
``../shared/thirdparty`` (or ``$ACTIVATION_LAB_THIRDPARTY``). :func:`thirdparty_dir` says where they are and
:func:`skip_reason` why they cannot run; tests and the benchmark skip with that reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
LMS_USER, LMS_PASSWORD = "lms", "lms-password"
WATCHER_USER, WATCHER_PASSWORD = "watcher", "watcher-password"


def thirdparty_dir() -> Path:
    """Where the XQueue and xqueue-watcher snapshots are expected."""
    configured = os.environ.get("ACTIVATION_LAB_THIRDPARTY")
    return Path(configured) if configured else ROOT.parent / "shared" / "thirdparty"


def openedx_home() -> Path:
    """Where setup-openedx.sh builds the two environments."""
    configured = os.environ.get("ACTIVATION_LAB_OPENEDX_HOME")
    return Path(configured) if configured else Path.home() / ".cache" / "activation-lab" / "openedx"


def skip_reason() -> str | None:
    """Why the Open edX services cannot run here, or ``None`` when they can (building them if needed)."""
    tp = thirdparty_dir()
    if not (tp / "xqueue").is_dir() or not (tp / "xqueue-watcher").is_dir():
        return (
            f"no XQueue/xqueue-watcher snapshots at {tp} "
            "(set ACTIVATION_LAB_THIRDPARTY to the folder holding xqueue/ and xqueue-watcher/)"
        )
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup-openedx.sh")], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"scripts/setup-openedx.sh failed: {done.stderr[-2000:]}"
    return None


def venv_python(name: str) -> Path:
    """The python of ``xqueue-venv`` or ``watcher-venv``."""
    return openedx_home() / name / "bin" / "python"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, deadline_s: float, proc: subprocess.Popen) -> None:
    import requests

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before serving {url}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {deadline_s} s")


def _stop(proc: subprocess.Popen | None, grace_s: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@dataclass
class XQueue:
    """The real XQueue (gunicorn, SQLite in WAL mode) on a free loopback port, with its own database copy."""

    workdir: Path
    queues: tuple[str, ...] = ("activation-lab",)
    processing_delay_min: float = 1.0
    workers: int = 2
    threads: int = 4
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def env(self) -> dict[str, str]:
        """The environment our XQueue settings read."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xqueue.activation_lab_settings",
            "ACTIVATION_LAB_XQUEUE_DB": str(self.workdir / "xqueue.sqlite"),
            "ACTIVATION_LAB_XQUEUE_QUEUES": ",".join(self.queues),
            "ACTIVATION_LAB_XQUEUE_PROCESSING_DELAY_MIN": str(self.processing_delay_min),
            "PYTHONPATH": "",
        }

    def start(self) -> XQueue:
        """Copy the template database and start gunicorn; returns when ``/xqueue/status/`` answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(openedx_home() / "template.sqlite", self.workdir / "xqueue.sqlite")
        self.port = self.port or free_port()
        self.log = (self.workdir / "xqueue.log").open("w")
        self.proc = subprocess.Popen(
            [
                str(venv_python("xqueue-venv")),
                "-m",
                "gunicorn",
                "xqueue.wsgi:application",
                "--bind",
                f"{LOOPBACK}:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "60",
            ],
            cwd=openedx_home() / "src" / "xqueue",
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_http(f"{self.url}/xqueue/status/", 60, self.proc)
        return self

    def stop(self) -> None:
        """Stop gunicorn."""
        _stop(self.proc)
        with contextlib.suppress(AttributeError):
            self.log.close()

    def query(self, sql: str) -> list[tuple]:
        """Read XQueue's database directly (for assertions about what it recorded)."""
        import sqlite3

        with contextlib.closing(sqlite3.connect(self.workdir / "xqueue.sqlite", timeout=30)) as db:
            return db.execute(sql).fetchall()


@dataclass
class Watcher:
    """One real xqueue-watcher process whose conf.d names our plug-in."""

    workdir: Path
    xqueue: XQueue
    queue: str = "activation-lab"
    connections: int = 1
    course: Path = ROOT
    proc: subprocess.Popen | None = None

    def start(self) -> Watcher:
        """Write the config root with ``activation-lab openedx watcher-config`` and start the watcher."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        root = self.workdir / "config"
        cli = [
            sys.executable,
            "-m",
            "activation_lab",
            "openedx",
            "watcher-config",
            str(root),
            "--queue",
            self.queue,
            "--server",
            self.xqueue.url,
            "--user",
            WATCHER_USER,
            "--connections",
            str(self.connections),
            "--course",
            str(self.course),
        ]
        env = {**os.environ, "ACTIVATION_LAB_XQUEUE_PASSWORD": WATCHER_PASSWORD}
        subprocess.run(cli, check=True, env=env, capture_output=True, text=True)
        self.log = (self.workdir / "watcher.log").open("w")
        self.proc = subprocess.Popen(
            [str(openedx_home() / "watcher-venv" / "bin" / "xqueue-watcher"), "-d", str(root)],
            cwd=self.workdir,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so kill() can take the forked grading children with it
        )
        return self

    def kill(self) -> None:
        """SIGKILL the watcher and its forked grading children: a machine that dies mid-grading."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Stop the watcher (SIGTERM, then SIGKILL)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(AttributeError):
            self.log.close()

    def log_text(self) -> str:
        """What the watcher logged so far."""
        return (self.workdir / "watcher.log").read_text(encoding="utf-8", errors="replace")


@dataclass
class Callback:
    """One POST that XQueue made to the LMS's callback URL."""

    path: str
    header: dict
    body: str
    received: float

    @property
    def reply(self) -> dict:
        """The grader's reply (``correct``, ``score``, ``msg``) as capa would parse it."""
        return json.loads(self.body)


@dataclass
class FakeLMS:
    """Plays the LMS: logs in to XQueue, submits like capa's CodeResponse, and serves the callback URLs."""

    xqueue: XQueue
    callbacks: dict[str, list[Callback]] = field(default_factory=dict)

    def start(self) -> FakeLMS:
        """Serve callbacks on a free loopback port and log in to XQueue."""
        import requests

        lms = self
        cond = threading.Condition()
        self._cond = cond

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode("utf-8"))
                entry = Callback(
                    path=self.path,
                    header=json.loads(form.get("xqueue_header", ["{}"])[0]),
                    body=form.get("xqueue_body", [""])[0],
                    received=time.monotonic(),
                )
                with cond:
                    lms.callbacks.setdefault(self.path, []).append(entry)
                    cond.notify_all()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.session = requests.Session()
        login = self.session.post(
            f"{self.xqueue.url}/xqueue/login/",
            data={"username": LMS_USER, "password": LMS_PASSWORD},
            timeout=30,
        )
        if login.json().get("return_code") != 0:
            raise RuntimeError(f"LMS login to XQueue failed: {login.text}")
        return self

    def stop(self) -> None:
        """Stop serving callbacks."""
        self.server.shutdown()
        self.server.server_close()

    def submit(self, answer: str, payload: dict | str, queue: str = "activation-lab") -> str:
        """Submit one answer; returns its callback path (unique per submission, as XQueue needs)."""
        path = f"/courses/activation-lab/xqueue/{uuid.uuid4().hex}/score_update"
        header = {
            "lms_callback_url": f"http://{LOOPBACK}:{self.server.server_port}{path}",
            "lms_key": uuid.uuid4().hex,
            "queue_name": queue,
        }
        body = {
            "grader_payload": payload if isinstance(payload, str) else json.dumps(payload),
            "student_response": answer,
            "student_info": json.dumps(
                {"anonymous_student_id": "s", "submission_time": "", "random_seed": 1}
            ),
        }
        reply = self.session.post(
            f"{self.xqueue.url}/xqueue/submit/",
            data={"xqueue_header": json.dumps(header), "xqueue_body": json.dumps(body)},
            timeout=30,
        ).json()
        if reply.get("return_code") != 0:
            raise RuntimeError(f"XQueue refused the submission: {reply}")
        return path

    def submit_raw(self, header: dict, body: str) -> str:
        """Submit a header and body built elsewhere (by capa's CodeResponse), with our own unique callback."""
        path = f"/courses/activation-lab/xqueue/{uuid.uuid4().hex}/score_update"
        header = {**header, "lms_callback_url": f"http://{LOOPBACK}:{self.server.server_port}{path}"}
        reply = self.session.post(
            f"{self.xqueue.url}/xqueue/submit/",
            data={"xqueue_header": json.dumps(header), "xqueue_body": body},
            timeout=30,
        ).json()
        if reply.get("return_code") != 0:
            raise RuntimeError(f"XQueue refused the submission: {reply}")
        return path

    def wait_for(self, paths: list[str], timeout_s: float) -> dict[str, list[Callback]]:
        """Wait until every path got at least one callback (or the timeout passed); returns them all."""
        end = time.monotonic() + timeout_s
        with self._cond:
            while not all(p in self.callbacks for p in paths):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 1.0))
            return {p: list(self.callbacks.get(p, [])) for p in paths}


@contextlib.contextmanager
def running(
    watchers: int = 1, processing_delay_min: float = 1.0, workdir: Path | None = None
) -> Iterator[tuple[XQueue, list[Watcher], FakeLMS]]:
    """XQueue, ``watchers`` xqueue-watchers and the LMS, all on loopback; stopped on exit."""
    tmp = Path(workdir or tempfile.mkdtemp(prefix="activation-lab-openedx-"))
    xqueue = XQueue(tmp / "xqueue", processing_delay_min=processing_delay_min)
    started: list[Watcher] = []
    lms = None
    try:
        xqueue.start()
        lms = FakeLMS(xqueue).start()
        for index in range(watchers):
            started.append(Watcher(tmp / f"watcher{index}", xqueue).start())
        yield xqueue, started, lms
    finally:
        for watcher in started:
            watcher.stop()
        if lms is not None:
            lms.stop()
        xqueue.stop()


def require_services() -> None:
    """Skip the calling test (module) with the reason the services cannot run; fail instead when
    ``ACTIVATION_LAB_REQUIRE_OPENEDX=1`` (CI sets it: there the snapshots are present)."""
    import pytest

    reason = skip_reason()
    if reason is None:
        return
    if os.environ.get("ACTIVATION_LAB_REQUIRE_OPENEDX") == "1":
        pytest.fail(f"ACTIVATION_LAB_REQUIRE_OPENEDX=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def payload(exercise: str, lang: str = "en", course_version: str = "1") -> dict[str, str]:
    """A grader_payload as the exporter writes it."""
    return {"grader": "activation-lab", "exercise": exercise, "lang": lang, "course_version": course_version}
