"""Reading a submission: a PATH (folder, zip, ``.py``, notebook) becomes whitelisted source texts and notes.

``load.py`` decides what a path is and decodes files; ``archive.py`` reads zips in memory under caps;
``notebook.py`` turns a notebook's code cells into a module. Nothing here runs student code.
"""

from activation_lab.submissions.load import Submission, load_submission

__all__ = ["Submission", "load_submission"]
