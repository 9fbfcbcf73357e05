"""`python -m ackstack`: the same as the `ackstack` command."""

from ackstack.cli import stop_while_loading

stop_while_loading()

from ackstack.cli import run  # noqa: E402 - after the handlers

run()
