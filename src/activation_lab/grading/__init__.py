"""Grading: the trusted side that turns a loaded submission into a report.

``grade.py`` grades one submission end to end; ``suites.py`` runs the hidden pytest suites in this
process with the ``student``, ``reference``, ``check`` and ``rng`` fixtures; ``checks.py`` and
``misconceptions.py`` compare a student's outputs with the reference and name the misconception;
``student.py`` is the ``StudentCode`` seam to the sandbox; ``batch.py`` grades a class with ``--jobs``,
atomic results and ``--resume``.
"""

from activation_lab.grading.grade import GradingContext, grade_path, grade_submission, make_context

__all__ = ["GradingContext", "grade_path", "grade_submission", "make_context"]
