"""Subcommands of the ``streetwatch`` CLI, one module per feature."""
