"""Bridges to other graders and platforms; each sub-package is named for the platform it serves."""
