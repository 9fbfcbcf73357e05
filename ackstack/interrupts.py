"""Ctrl-C and SIGTERM end every command the same way: cleanup, one line, exit 130/143, no traceback.

Why this is more than Python's default handler:

- Python turns SIGINT into KeyboardInterrupt only when SIGINT was not ignored at start-up. A process
  started with SIGINT ignored (a background job of a non-interactive shell, some CI runners, a pytest
  worker started from one) never sees Ctrl-C, so `verify --canary` waited out its canary timeout and
  left the canary behind. The handlers here are installed whatever the inherited disposition, as Go's
  `signal.Notify` does for SIGINT (go1.26 src/os/signal/doc.go, "If the program was started with SIGHUP
  or SIGINT ignored, and Notify is called for either signal, a signal handler will be installed for
  that signal and it will no longer be ignored"), which is also what the Pulumi CLI does.
- `Interrupted` is a KeyboardInterrupt: asyncio re-raises only KeyboardInterrupt and SystemExit out of a
  task step (CPython 3.11 Lib/asyncio/tasks.py `Task.__step`); any other BaseException raised by the
  handler while the Pulumi program's event loop runs a task was stored in the task ("Task exception was
  never retrieved") and the run went on.
- Where Python cannot propagate an exception (a `__del__`, a weakref or GC callback) it only prints
  "Exception ignored in ..." and goes on. While the handlers are installed, `sys.unraisablehook` keeps
  such an `Interrupted` off stderr and delivers the signal again a moment later, so it is raised at the
  next place that can propagate it. The request is also kept as state (`Stop.requested`) that polling
  loops (`Stop.sleep`) act on.
- Commands with nothing to clean up but child processes can ask for a watchdog (`grace`): if the
  unwinding has not ended the process by then, the children are killed and the process exits with the
  same line and status.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Seconds before a swallowed interruption is delivered again (long enough to leave the `__del__`).
_REDELIVER_SECONDS = 0.05
# Source: POSIX shells report death by signal N as exit status 128 + N (SIGINT 2 -> 130, SIGTERM 15 -> 143).
_SIGNAL_EXIT_BASE = 128
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):  # noqa: N818 - not an error: the user asked to stop
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.exit_status = _SIGNAL_EXIT_BASE + signum


def exit_status(signum: int) -> int:
    return _SIGNAL_EXIT_BASE + signum


@dataclass
class Stop:
    """What the handlers saw: the first stop signal, and an event that polling loops wait on."""

    requested: int | None = None
    event: threading.Event = field(default_factory=threading.Event)
    stderr_fd: int | None = None  # the real stderr while a quiet command unwinds (see `interruptible`)

    def say(self, text: str) -> None:
        """The one line about the interruption, on the real stderr even when unwinding is silenced."""
        if self.stderr_fd is None:
            print(text, file=sys.stderr, flush=True)
            return
        with contextlib.suppress(OSError):
            os.write(self.stderr_fd, (text + "\n").encode())

    def silence_stderr(self) -> None:
        """Send what anything else writes to stderr from now on to /dev/null, keeping the real one."""
        if self.stderr_fd is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
            self.stderr_fd = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)

    def check(self) -> None:
        """Raise `Interrupted` if a stop was asked for (the raise from the handler may have been lost)."""
        if self.requested is not None:
            raise Interrupted(self.requested)

    def sleep(self, seconds: float) -> None:
        """`time.sleep` that ends at once when a stop is asked for."""
        self.check()
        self.event.wait(seconds)
        self.check()


def descendants(pid: int) -> list[int]:
    """Children, grandchildren... (the policy pack runs under the language host) from Linux /proc;
    elsewhere none are found and only the exit happens."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            for child in (int(c) for c in (task / "children").read_text().split()):
                found += [child, *descendants(child)]
    return found


def _watchdog(stop: Stop, line: Callable[[int], str]) -> None:
    """The unwinding took too long: kill the children, say the line, leave without interpreter teardown."""
    for child in descendants(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    stop.say(line(stop.requested))
    os._exit(exit_status(stop.requested))


@contextlib.contextmanager
def interruptible(*, grace: float | None = None, line: Callable[[int], str] | None = None,
                  quiet: bool = False) -> Iterator[Stop]:
    """Turn SIGINT/SIGTERM into `Interrupted` while the block runs (main thread only), then restore.

    `grace`: seconds after the first signal before the watchdog ends the process (None: no watchdog,
    for commands whose cleanup talks to a cluster and must finish). `quiet`: from the first signal on,
    stderr goes to /dev/null (libraries unwinding mid-operation print what they like) and only
    `Stop.say` reaches the real one, so the command ends with exactly one line."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, _frame) -> None:
        if stop.requested is None:
            stop.requested = signum
            stop.event.set()
            if quiet:
                stop.silence_stderr()
            if grace is not None:
                timer = threading.Timer(grace, _watchdog, args=(stop, line or _default_line))
                timer.daemon = True
                timer.start()
        raise Interrupted(stop.requested)

    previous_hook = sys.unraisablehook

    def unraisable(info) -> None:
        if not isinstance(info.exc_value, Interrupted):
            previous_hook(info)
            return
        redeliver = threading.Timer(_REDELIVER_SECONDS, os.kill, args=(os.getpid(), info.exc_value.signum))
        redeliver.daemon = True
        redeliver.start()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    sys.unraisablehook = unraisable
    try:
        yield stop
    finally:
        sys.unraisablehook = previous_hook
        for sig, old in previous.items():
            signal.signal(sig, old if old is not None else signal.SIG_DFL)


def _default_line(signum: int) -> str:
    return f"ackstack: interrupted ({signal.Signals(signum).name})"


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done (starting or stopping a child must not be cut in half),
    then deliver the first one to the handler that was in place. (A handler, not the signal mask: a child
    started inside the block would inherit a blocked mask and ignore `terminate()`.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: pending.append(signum)) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if pending:
            signal.raise_signal(pending[0])
