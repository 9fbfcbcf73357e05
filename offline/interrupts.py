"""Ctrl-C and SIGTERM end a preview like any other error: one line, exit 130/143, no traceback.

Both signals become `Interrupted` (a BaseException, so no `except Exception` swallows it); the `finally`
blocks on the way out stop the policy-pack process, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

# Source: POSIX shells report death by signal N as exit status 128 + N (SIGINT 2 -> 130, SIGTERM 15 -> 143).
_SIGNAL_EXIT_BASE = 128


class Interrupted(BaseException):  # noqa: N818 - not an error: the user asked to stop
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signal_name = signal.Signals(signum).name
        self.exit_status = _SIGNAL_EXIT_BASE + signum


def _raise(signum: int, _frame) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into `Interrupted` while the block runs (main thread only), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done (starting or stopping a child must not be cut in half),
    then deliver the first one to the handler that was in place. (A handler, not the signal mask: a child
    started inside the block would inherit a blocked mask and ignore `terminate()`.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pending:
            signal.raise_signal(pending[0])
