"""Run the command-line interface with ``python -m activation_lab``."""

import sys

from activation_lab.cli.main import main

sys.exit(main(sys.argv[1:]))
