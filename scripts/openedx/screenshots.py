"""Render what a student sees on Open edX, with Open edX's own problem engine, as PNGs for docs/openedx.md.

    python scripts/openedx/screenshots.py [--lang ko] [--out docs/images]

Exports the course, starts the real XQueue and one xqueue-watcher (tests/openedx_services.py), lets capa
(tests/openedx_capa_probe.py) submit a wrong sigmoid.py through them and record the reply, and saves capa's
HTML before and after grading, wrapped in a minimal stylesheet (the LMS adds its own theme and the CodeMirror
editor), as screenshots taken with headless Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

import openedx_services as services  # noqa: E402
from lxml import etree  # noqa: E402

from activation_lab.cli.main import main as cli_main  # noqa: E402

ANSWER = REPO / "tests" / "corpus" / "wrong" / "sigmoid" / "exp_sign.py"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>
body {{ font-family: "NanumGothic", "Noto Sans CJK KR", sans-serif; font-size: 15px; color: #313131;
       max-width: 940px; margin: 24px auto; }}
.sr, .debug, .cm-editor-exit-message {{ display: none; }}
textarea {{ width: 100%; font: 13px/1.35 monospace; background: #fafafa; border: 1px solid #c8c8c8; }}
label {{ font-weight: bold; display: block; margin: 12px 0 4px; }}
pre {{ white-space: pre-wrap; background: #f4f4f4; padding: 6px 8px; font-size: 13px; }}
.status.incorrect::before {{ content: "✗ incorrect"; color: #b20610; font-weight: bold; }}
.status.correct::before {{ content: "✓ correct"; color: #008100; font-weight: bold; }}
.external-grader-message {{ border-left: 4px solid #0075b4; padding: 2px 12px; margin-top: 10px; }}
.caption {{ color: #707070; font-size: 12px; border-top: 1px solid #ddd; padding-top: 6px; }}
h3 {{ font-size: 20px; margin: 0 0 12px; }}
</style></head><body><h3>{title}</h3><div class="problem">{html}</div>
<p class="caption">{caption}</p></body></html>"""


def render(lang: str, out: Path, workdir: Path) -> list[Path]:
    """Write ``openedx-code-problem-<lang>.png`` and ``openedx-graded-reply-<lang>.png`` into ``out``."""
    reason = services.skip_reason()
    if reason:
        raise SystemExit(f"cannot run: {reason}")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("headless Chromium is needed: apt-get install chromium")
    assert cli_main(["openedx", "export", str(workdir), "--lang", lang, "--no-tar"]) == 0
    xml = (workdir / f"activation-lab-openedx-{lang}" / "problem" / "code_sigmoid.xml").read_text(
        encoding="utf-8"
    )
    with services.running(watchers=1, workdir=workdir / "services") as (xqueue, _, _):
        job = {"xml": xml, "answer": ANSWER.read_text(encoding="utf-8"), "html_out": str(workdir / "html")}
        done = subprocess.run(
            [str(services.venv_python("watcher-venv")), str(REPO / "tests" / "openedx_capa_probe.py")],
            input=json.dumps({"code_jobs": [job], "xqueue": xqueue.url}),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    caption = (
        "capa (xblocks-contrib) HTML of the exported problem, minimal stylesheet; reply via XQueue + watcher"
    )
    title = etree.fromstring(xml.encode("utf-8")).get("display_name")
    written = []
    for stage, name, height in (("before", "code-problem", 960), ("after", "graded-reply", 1900)):
        page = workdir / f"{stage}.html"
        fragment = (workdir / "html" / f"{stage}.html").read_text(encoding="utf-8")
        page.write_text(
            PAGE.format(lang=lang, title=html.escape(title), html=fragment, caption=caption), encoding="utf-8"
        )
        png = out / f"openedx-{name}-{lang}.png"
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--screenshot={png}", f"--window-size=1000,{height}", page.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )
        written.append(png)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=("ko", "en"), default="ko")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="activation-lab-shots-") as tmp:
        for path in render(args.lang, args.out, Path(tmp)):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
