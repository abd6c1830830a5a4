"""Test support: an isolation mode a sandbox test can use here, or a skip (a failure where CI needs it)."""

from __future__ import annotations

import os

import pytest

from activation_lab.sandbox import session as sandbox


def available(mode: str) -> str:
    """``mode`` if it works on this machine; else skip, or fail where the strong sandbox is required (CI)."""
    if not sandbox._probe(mode):
        if mode == "bwrap" and os.environ.get(sandbox.STRONG_ENV):
            pytest.fail("the strong sandbox is required here (CI) but bubblewrap does not work")
        pytest.skip(f"isolation mode {mode!r} does not work on this machine")
    return mode
