"""The comparison fast paths of checks.py give exactly NumPy's answers (``np.isclose``, ``np.nanmax``)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from activation_lab.grading.checks import Tolerance, _isclose, compare, extreme

EXTREME = 700.0  # the limit the lecture's suites use (|x| from which e^x overflows float64)

SPECIAL = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    1e-9,
    -1e-9,
    np.inf,
    -np.inf,
    np.nan,
    700.0,
    -700.0,
    699.9999,
    1e308,
    -1e308,
    5e-324,
    1 + 1e-7,
    1 + 1e-6,
    3.0,
]
TOLERANCES = [Tolerance(), Tolerance(1e-6, 1e-6), Tolerance(0.0, 0.0), Tolerance(1e-3, 0.0)]


@pytest.mark.parametrize("tol", TOLERANCES, ids=lambda t: f"rtol={t.rtol:g},atol={t.atol:g}")
def test_isclose_agrees_with_numpy_on_every_pair_of_special_values(tol):
    pairs = list(itertools.product(SPECIAL, SPECIAL))
    got = np.array([a for a, _ in pairs])
    expected = np.array([b for _, b in pairs])
    numpy_says = np.isclose(got, expected, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
    assert (_isclose(got, expected, tol) == numpy_says).all()
    for a, b in pairs[:40]:  # 0-d arrays, as compare() sees scalars
        assert bool(_isclose(np.asarray(a), np.asarray(b), tol)) == bool(
            np.isclose(a, b, tol.rtol, tol.atol, True)
        )


def test_compare_finds_the_same_mismatch_as_numpy():
    rng = np.random.default_rng(1)
    for _ in range(200):
        x = rng.choice(SPECIAL, size=(2, 5))
        y = x + rng.choice([0.0, 1e-10, 1e-6, 2.0, np.nan], size=(2, 5))
        mismatch = compare(y, x)
        wrong = ~np.isclose(y, x, rtol=1e-7, atol=1e-9, equal_nan=True)
        if not wrong.any():
            assert mismatch is None
        else:
            assert mismatch is not None
            assert mismatch.count == int(wrong.sum())
            assert mismatch.first_index == tuple(int(i) for i in np.argwhere(wrong)[0])


def _extreme_by_nanmax(args):
    for arg in args:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                values = np.asarray(arg, dtype=float)
            except (TypeError, ValueError):
                continue
            if values.size and np.nanmax(np.abs(values)) >= EXTREME:
                return True
    return False


@pytest.mark.parametrize(
    "args",
    [pytest.param((x,), id=repr(x)) for x in SPECIAL]
    + [
        pytest.param((np.float32(800),), id="float32-800"),
        pytest.param((np.int64(-700),), id="int64--700"),
        pytest.param((np.uint8(200),), id="uint8"),
        pytest.param((np.float16(1e4),), id="float16"),
        pytest.param((True,), id="bool"),
        pytest.param((700,), id="int-700"),
        pytest.param((np.array([np.nan, np.nan]),), id="all-nan"),
        pytest.param((np.array([]),), id="empty"),
        pytest.param((np.array([1.0, np.nan, -701.0]),), id="array-with-nan"),
        pytest.param(("abc",), id="text"),
        pytest.param(([1, 2],), id="list"),
        pytest.param((3.0, np.array([800.0])), id="second-argument"),
    ],
)
def test_extreme_agrees_with_nanmax(args):
    assert extreme(args, EXTREME) == _extreme_by_nanmax(args)
