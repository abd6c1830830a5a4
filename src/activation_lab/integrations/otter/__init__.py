"""otter-grader, named for where each module runs.

``generate.py`` builds the autograder zip (here); ``plugin.py`` runs in otter's own process; ``kernel.py``
runs in otter's grading kernel. Only ``generate.py`` is imported by the CLI.
"""
