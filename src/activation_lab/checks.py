"""The public face for course authors: what a hidden suite in ``autograder/`` may import.

The suites receive ``student``, ``reference``, ``check`` and ``rng`` as pytest fixtures; this module names the
types they see. Everything else in the engine is private to it and may change between versions.
"""

from activation_lab.grading.checks import Checker, CheckFailure
from activation_lab.records import DEFAULT_TOLERANCE, Tolerance

__all__ = ["DEFAULT_TOLERANCE", "CheckFailure", "Checker", "Tolerance"]
