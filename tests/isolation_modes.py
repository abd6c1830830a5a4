"""Test support: an isolation mode a sandbox test can use here, or a skip (a failure where CI needs it)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from activation_lab.sandbox import session as sandbox


def available(mode: str) -> str:
    """``mode`` if it works on this machine; else skip, or fail where the strong sandbox is required (CI)."""
    if not sandbox._probe(mode):
        if mode == "bwrap" and os.environ.get(sandbox.STRONG_ENV):
            pytest.fail("the strong sandbox is required here (CI) but bubblewrap does not work")
        pytest.skip(f"isolation mode {mode!r} does not work on this machine")
    return mode


# the strong mode (marked ``sandbox``) and the weakest: what the sandbox's protocol tests run in
BWRAP_AND_NONE = [pytest.param("bwrap", marks=pytest.mark.sandbox), pytest.param("none")]


def mode_fixture(params: Sequence[Any] = BWRAP_AND_NONE) -> Callable[..., str]:
    """A module-scoped ``mode`` fixture over ``params`` (``mode = mode_fixture()`` in a test module)."""

    @pytest.fixture(scope="module", params=list(params))
    def mode(request: pytest.FixtureRequest) -> str:
        return available(request.param)

    return mode
