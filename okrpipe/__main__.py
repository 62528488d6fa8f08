"""``python -m okrpipe`` runs the command line."""

from okrpipe.cli.main import entry

entry()
