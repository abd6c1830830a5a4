"""``activation-lab openedx export|watcher-config``: the Open edX course and xqueue-watcher's config."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from activation_lab.errors import UsageError
from activation_lab.i18n import LANGUAGES, default_language

EXIT_OK = 0


def add_parsers(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``openedx`` and its two subcommands."""
    openedx = subparsers.add_parser("openedx", help="Open edX: course export (OLX) and xqueue-watcher config")
    commands = openedx.add_subparsers(dest="openedx_command", required=True)

    export = commands.add_parser("export", help="write an importable OLX course folder and .tar.gz")
    export.add_argument("out", type=Path, metavar="OUT")
    export.add_argument("--lang", choices=LANGUAGES, default=None, help="course language (default: locale)")
    export.add_argument(
        "--queue", default="activation-lab", help="XQueue queue name (default: activation-lab)"
    )
    export.add_argument("--no-tar", action="store_true", help="write only the folder")
    export.add_argument("--course", type=Path, default=None, help="course root (default: this checkout)")
    export.set_defaults(handler=run_export)

    config = commands.add_parser(
        "watcher-config",
        help="write xqueue-watcher's config root (run it with: xqueue-watcher -d OUT)",
        description="The XQueue password comes from $ACTIVATION_LAB_XQUEUE_PASSWORD or --password-file.",
    )
    config.add_argument("out", type=Path, metavar="OUT")
    config.add_argument(
        "--queue", default="activation-lab", help="XQueue queue name (default: activation-lab)"
    )
    config.add_argument("--server", default="http://127.0.0.1:18040", help="XQueue base URL")
    config.add_argument("--user", default="activation-lab-watcher", help="the watcher's XQueue user")
    config.add_argument("--password-file", type=Path, default=None, help="file holding the XQueue password")
    config.add_argument("--connections", type=int, default=1, help="polling connections in this watcher")
    config.add_argument("--course", type=Path, default=None, help="course root the watcher grades with")
    config.set_defaults(handler=run_watcher_config)


def run_export(args: argparse.Namespace) -> int:
    """Export the course; print the paths written."""
    from activation_lab.course import load_course
    from activation_lab.grading.grade import load_course_quizzes
    from activation_lab.integrations.openedx.export import export_course

    course = load_course(args.course)
    quizzes, _ = load_course_quizzes(course)
    paths = export_course(
        course,
        quizzes,
        args.out,
        lang=args.lang or default_language(),
        queue=args.queue,
        tarball=not args.no_tar,
    )
    for path in paths:
        print(path)
    return EXIT_OK


def run_watcher_config(args: argparse.Namespace) -> int:
    """Write the watcher's config root; print the files written (never the password)."""
    from activation_lab.integrations.openedx.watcher_config import write_watcher_config

    password = os.environ.get("ACTIVATION_LAB_XQUEUE_PASSWORD", "")
    if args.password_file is not None:
        try:
            password = args.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"--password-file {args.password_file}: {exc.strerror}") from None
    paths = write_watcher_config(
        args.out,
        queue=args.queue,
        server=args.server,
        user=args.user,
        password=password,
        connections=args.connections,
        course_root=args.course,
    )
    for path in paths:
        print(path)
    return EXIT_OK
