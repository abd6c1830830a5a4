"""activation-lab: auto-graded exercises and quizzes for a lecture on activation functions."""

__version__ = "0.1.0"
