"""Bridges from the engine to the platforms a course runs on (Open edX's XQueue)."""
