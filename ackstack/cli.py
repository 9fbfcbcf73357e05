"""The `ackstack` command (also `python -m ackstack`): one parser, a subcommand per job.

Exit status (every command): 0 no error finding / all checks hold, 1 an error finding or a failed check,
2 input that cannot be read (or an unknown command, or standard output that cannot be written), 130/143
interrupted by SIGINT/SIGTERM.
"""

import _signal
import argparse
import os
import signal
import sys

from ackstack import __version__
from ackstack.interrupts import Interrupted, interruptible

COMMANDS = {
    "preview": "what `pulumi preview` would show, offline: tree, --json, --out DIR (report.md), --compare BASE",
    "rehearse": "run the stack through the real Pulumi CLI (preview, policy pack, up, drift, edit, destroy) "
                "against a throw-away backend and ackstack's provider plugins",
    "verify": "check a live cluster against the stack (--kubeconfig FILE)",
    "migrate-controlplane": "migrate terway-controlplane config on a live cluster (--kubeconfig, --backup-dir)",
    "charts": "fetch the pinned Cilium chart packages from their Helm repository into the cache, verified by digest",
}
EXIT_USAGE = 2
# Standard output cannot be written (a closed pipe, a full disk, a file-size limit): like an unwritable --out.
EXIT_STDOUT = 2


class StdoutFailed(Exception):
    """Writing the result to standard output failed; the result did not reach the reader."""


class _GuardedStdout:
    """Standard output whose write failures are StdoutFailed, answered once in `main`, not an OSError traceback
    (or a misleading "internal error") from whichever print met it."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise StdoutFailed(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutFailed(exc.strerror or str(exc)) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _stdout_failed(reason: str) -> int:
    """One line; fd 1 then goes to /dev/null so the interpreter's last flush does not fail a second time."""
    print(f"ackstack: cannot write to standard output: {reason}", file=sys.stderr)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return EXIT_STDOUT


# Seconds from a stop signal to the watchdog's exit (ackstack.interrupts): a preview holds nothing but its
# policy-pack child, and says nothing but the one line; the day-2 commands get no watchdog (their cleanup,
# the canary or an API write, must finish) and report that cleanup on stderr.
STOP_GRACE_SECONDS = {"preview": 1.5}
QUIET_WHEN_STOPPED = {"preview"}


def _command(name: str):
    """The command's entry point, imported only when asked for (day 2 loads the Kubernetes client)."""
    if name == "verify":
        from ackstack.day2.verify import main
    elif name == "migrate-controlplane":
        from ackstack.day2.migrate import main
    elif name == "rehearse":
        from ackstack.engine.rehearse import main
    elif name == "charts":
        from ackstack.charts import main
    else:
        from ackstack.preview.preview import main
    return main


def parser() -> argparse.ArgumentParser:
    """The one usage text; each command parses its own options (`ackstack <command> --help`)."""
    top = argparse.ArgumentParser(
        prog="ackstack", description="Alibaba Cloud ACK Pro stacks with a container network that is right the first "
        "time: preview and validate offline, rehearse with the real Pulumi CLI, verify a live cluster.",
        epilog="Exit status: 0 no error finding, 1 an error finding (or a failed check), 2 unreadable input or "
               "an unknown command, 130/143 interrupted. `ackstack <command> --help` lists a command's options.")
    top.add_argument("--version", action="version", version=f"ackstack {__version__}")
    commands = top.add_subparsers(dest="command", metavar="<command>", required=True)
    for name, text in COMMANDS.items():
        commands.add_parser(name, help=text, description=text, add_help=False)
    return top


def _interrupted_line(signum: int) -> str:
    return f"ackstack: interrupted ({signal.Signals(signum).name}); nothing was applied"


def _unknown_command(word: str) -> int:
    """A mistyped command is named, with the nearest one, instead of argparse's bare usage error."""
    import difflib

    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    print(parser().format_usage().rstrip(), file=sys.stderr)
    print(f"ackstack: unknown command {word!r}{hint}; the commands are {', '.join(COMMANDS)}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str]) -> int:
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        return _unknown_command(argv[0])
    try:
        known, rest = parser().parse_known_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error (an unknown command is named)
        return int(done.code or 0) and EXIT_USAGE
    name = known.command
    original, sys.stdout = sys.stdout, _GuardedStdout(sys.stdout)
    try:
        return _run_command(name, rest)
    except StdoutFailed as exc:
        return _stdout_failed(str(exc))
    finally:
        sys.stdout = original


def _run_command(name: str, rest: list[str]) -> int:
    stop = None
    try:
        # From the first import on: Ctrl-C while Pulumi loads is no traceback either.
        with interruptible(grace=STOP_GRACE_SECONDS.get(name), line=_interrupted_line,
                           quiet=name in QUIET_WHEN_STOPPED) as stop:
            status = _command(name)(rest, stop=stop)
            sys.stdout.flush()  # a write error of buffered output is met here, while it can still be reported
            if status < 128:  # the command did not report the interruption itself
                stop.check()  # a signal during its last steps still ends as an interruption, not as success
            return status
    except Interrupted as exc:  # a command with its own account of what was left catches it itself
        if stop is not None:
            stop.say(_interrupted_line(exc.signum))
        else:  # the signal came while the handlers were being installed
            print(_interrupted_line(exc.signum), file=sys.stderr)
        return exc.exit_status


def _stopped_while_loading(signum: int, _frame) -> None:
    os.write(2, b"ackstack: interrupted while loading; nothing was applied\n")
    os._exit(128 + signum)


def stop_while_loading() -> None:
    """Before anything slow is imported: a stop signal ends the command with one line and 130/143 (the
    C-level `_signal` loads nothing; `ackstack.interrupts` takes over in `main`)."""
    for stop in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(stop, _stopped_while_loading)


def run() -> None:
    """The console script `ackstack` (and `python -m ackstack`)."""
    stop_while_loading()
    status = main(sys.argv[1:])
    if status >= 128:  # interrupted mid-run: skip interpreter teardown (an event loop cut short would complain)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    os._exit(_finish(status))


def _finish(status: int) -> int:
    """Exit-time cleanup with stop signals held, then the exit status: a signal that arrives now still ends the
    command as interrupted (130/143, one line), never as Python's teardown, which resets the handlers and would
    let the signal kill the process (status -2) or print a traceback from whatever was finalising."""
    import atexit

    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as exc:  # standard output closed under us: as any other write failure
        status = _stdout_failed(getattr(exc, "strerror", None) or str(exc))
    atexit._run_exitfuncs()
    sys.stderr.flush()
    pending = sorted(held & signal.sigpending())
    if pending:
        name = signal.Signals(pending[0]).name
        os.write(2, f"ackstack: interrupted ({name}) as it exited; the command had finished (status {status})\n"
                 .encode())
        return 128 + pending[0]
    return status
