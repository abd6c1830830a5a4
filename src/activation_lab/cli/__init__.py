"""The command line: the only code that prints, colours, draws progress and chooses exit codes."""
