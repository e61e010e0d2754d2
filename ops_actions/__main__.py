"""Lets ``python -m ops_actions`` run the CLI."""

from ops_actions.cli import main

main()
