"""How a sandbox is isolated from the machine (bubblewrap, ``unshare`` or nothing); which works here."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from activation_lab.sandbox.limits import SandboxError

STRONG_ENV = "ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX"
FORCE_ENV = "ACTIVATION_LAB_SANDBOX"  # "bwrap" | "unshare" | "none": force a mode (tests, debugging)
ISOLATIONS = ("bwrap", "unshare", "none")
INSIDE_ROOT = "/sandbox"
TMP_BYTES = 64 << 20  # size of the sandbox's private /tmp (a tmpfs, so it is memory)
# The code copied into the sandbox: the worker and the two modules it loads from its own folder.
SANDBOX_CODE = ("worker.py", "wire.py", "confine.py")


def python_paths() -> tuple[list[str], list[str]]:
    """Directories the interpreter needs read-only, and the site dirs holding NumPy (and matplotlib)."""
    site_dirs: list[str] = []
    for name in ("numpy", "matplotlib"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            site = str(Path(next(iter(spec.submodule_search_locations))).resolve().parent)
            if site not in site_dirs:
                site_dirs.append(site)
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site_dirs}
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    binds = sorted({str(Path(r).resolve()) for r in roots})
    binds = [b for b in binds if not any(b != o and b.startswith(o + "/") for o in binds)]
    return [b for b in binds if not b.startswith("/usr/")], site_dirs


def readable_paths() -> list[str]:
    """What a worker may read once Landlock confines it: the system, Python, NumPy (plus its own files).

    The device files ``/dev/null``, ``/dev/zero``, ``/dev/urandom``… are granted by the worker itself.
    """
    binds, site_dirs = python_paths()
    system = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    system += ["/etc/ld.so.cache", "/etc/localtime"]
    return [*system, *binds, *site_dirs]


def matplotlib_font_list() -> Path | None:
    """The grading user's matplotlib font cache, if there is one (read-only inside the sandbox)."""
    configured = os.environ.get("MPLCONFIGDIR")
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    for folder in ([configured] if configured else []) + [os.path.join(xdg, "matplotlib")]:
        found = sorted(Path(folder).glob("fontlist-v*.json"))
        if found:
            return found[-1]
    return None


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(top), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/localtime"):
        args += ["--ro-bind-try", etc, etc]
    return args


def bwrap_prefix(host_root: Path, env: Mapping[str, str]) -> list[str]:
    """The bubblewrap command line that runs what follows it in fresh namespaces (see docs/security.md)."""
    binds, _ = python_paths()
    args = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534"]
    args += ["--die-with-parent", "--new-session", "--clearenv", *_system_binds()]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    font_list = matplotlib_font_list()
    if font_list is not None:  # saves matplotlib half a second of font scanning per submission
        args += ["--ro-bind", str(font_list), f"/tmp/matplotlib/{font_list.name}"]
    for path in binds:
        args += ["--ro-bind", path, path]
    args += ["--dir", INSIDE_ROOT]
    for name in SANDBOX_CODE:
        args += ["--ro-bind", str(host_root / name), f"{INSIDE_ROOT}/{name}"]
    # The student files are read-only: one exercise can never rewrite another's file (or its own).
    args += ["--ro-bind", str(host_root / "subs"), f"{INSIDE_ROOT}/subs", "--remount-ro", "/"]
    args += ["--chdir", f"{INSIDE_ROOT}/subs"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return [*args, "--"]


def unshare_prefix() -> list[str]:
    """The ``unshare`` command line of the middle mode: new pid, network, IPC and UTS namespaces."""
    args = ["unshare", "--fork", "--pid", "--mount-proc", "--net", "--ipc", "--uts", "--kill-child"]
    if os.geteuid() != 0:
        args += ["--user", "--map-root-user"]
    return args


def copy_sandbox_code(root: Path) -> None:
    """Copy the worker and the modules it loads into ``root`` (they are all it runs of this package)."""
    here = Path(__file__).parent
    for name in SANDBOX_CODE:
        shutil.copyfile(here / name, root / name)


_PROBING: dict[str, threading.Thread] = {}


def probe_in_background(isolation: str = "bwrap") -> None:
    """Start ``probe(isolation)`` in a thread now; ``probe`` waits for it (the CLI's imports overlap it)."""
    if isolation not in _PROBING:
        _PROBING[isolation] = thread = threading.Thread(target=_probe, args=(isolation,), daemon=True)
        thread.start()


def probe(isolation: str) -> bool:
    """Whether ``isolation`` actually works here (a tool can be installed yet refused by the kernel)."""
    started = _PROBING.get(isolation)
    if started is not None and started is not threading.current_thread():
        started.join()
    return _probe(isolation)


@cache
def _probe(isolation: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="activation-lab-probe-") as tmp:
        root = Path(tmp)
        (root / "subs").mkdir()
        for name in SANDBOX_CODE:
            (root / name).write_text("")
        if isolation == "bwrap":
            if shutil.which("bwrap") is None:
                return False
            command = [*bwrap_prefix(root, {}), sys.executable, "-I", "-S", "-c", "pass"]
        elif isolation == "unshare":
            if shutil.which("unshare") is None:
                return False
            command = [*unshare_prefix(), sys.executable, "-I", "-S", "-c", "pass"]
        else:
            return True
        try:
            completed = subprocess.run(command, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return completed.returncode == 0


def detect_isolation() -> str:
    """The strongest isolation that works here: ``"bwrap"``, ``"unshare"`` or ``"none"``.

    ``ACTIVATION_LAB_SANDBOX`` forces a mode. With ``ACTIVATION_LAB_REQUIRE_STRONG_SANDBOX=1`` (CI) anything
    but bubblewrap raises :class:`SandboxError` instead of falling back.
    """
    forced = os.environ.get(FORCE_ENV, "").strip()
    require_strong = os.environ.get(STRONG_ENV, "").strip() not in ("", "0")
    if forced and forced not in ISOLATIONS:
        raise SandboxError(f"{FORCE_ENV}={forced!r}: expected one of {', '.join(ISOLATIONS)}")
    candidates = [forced] if forced else list(ISOLATIONS)
    for isolation in candidates:
        if probe(isolation):
            if require_strong and isolation != "bwrap":
                break
            return isolation
    if require_strong:
        raise SandboxError(f"{STRONG_ENV} is set but bubblewrap (bwrap) does not work on this machine")
    raise SandboxError(f"sandbox mode {forced!r} does not work on this machine")


def is_strong(isolation: str) -> bool:
    """Whether a mode isolates the file system and the network (only bubblewrap does)."""
    return isolation == "bwrap"
