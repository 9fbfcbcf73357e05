"""`python -m offline <command>`: the offline engine's command line (`--help` lists the commands):
`preview <stack> [--json] [--out DIR] ...`, `verify`, `migrate-controlplane`."""

# First, before any import that takes time: a stop signal while the command loads ends it with the one
# line and 130/143 (the C-level `_signal` module loads nothing; `offline.interrupts` takes over in `main`).
import _signal
import os


def _stopped_while_loading(signum: int, _frame) -> None:
    os.write(2, b"ackstack: interrupted while loading; nothing was applied\n")
    os._exit(128 + signum)


if __name__ == "__main__":
    for _stop in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(_stop, _stopped_while_loading)

import signal  # noqa: E402 - after the handlers above
import sys  # noqa: E402

from offline.interrupts import Interrupted, interruptible  # noqa: E402

COMMANDS = {
    "preview": "what `pulumi preview` would show, offline: tree, --json, --out DIR (report.md), --compare BASE",
    "verify": "check a live cluster against the stack (--kubeconfig FILE)",
    "migrate-controlplane": "migrate terway-controlplane config on a live cluster (--kubeconfig, --backup-dir)",
    "rehearse": "run the stack through the real Pulumi CLI (preview, policy pack, up, drift, edit, destroy) "
                "against a throw-away backend and ackstack's provider plugins",
}
USAGE = "usage: python -m offline preview <stack> [--json] [--out DIR] [--config FILE] [--inventory FILE] " \
        "[--policy-pack-config FILE] [--compare BASE.json] [--no-policy] [--progress|--no-progress]\n" \
        "       python -m offline verify <stack> --kubeconfig FILE [--json] [--canary] [--outputs FILE]\n" \
        "       python -m offline migrate-controlplane --kubeconfig FILE --backup-dir DIR " \
        "[--apply | --restore | --finish]\n" \
        "       python -m offline rehearse <stack> [--json] [--keep DIR]"


# Seconds from a stop signal to the watchdog's exit (offline.interrupts): a preview holds nothing but its
# policy-pack child, and says nothing but the one line; the day-2 commands get no watchdog (their cleanup,
# the canary or an API write, must finish) and report that cleanup on stderr.
STOP_GRACE_SECONDS = {"preview": 1.5}
QUIET_WHEN_STOPPED = {"preview"}


def _command(name: str):
    """The command's entry point, imported only when asked for (day 2 loads the Kubernetes client)."""
    if name == "verify":
        from offline.verify import main
    elif name == "migrate-controlplane":
        from offline.migrate import main
    elif name == "rehearse":
        from offline.rehearse import main
    else:
        from offline.preview import main
    return main


def _help() -> str:
    lines = [USAGE, "", "ackstack's offline engine: the real program, validation and the CrossGuard policy pack, "
             "without the Pulumi CLI or a cloud account.", "", "commands:"]
    lines += [f"  {name:22} {text}" for name, text in COMMANDS.items()]
    lines += ["", "`python -m offline <command> --help` lists a command's options. Exit status: 0 no error finding, "
              "1 an error finding, 2 unreadable input, 130/143 interrupted."]
    return "\n".join(lines)


def _interrupted_line(signum: int) -> str:
    return f"ackstack: interrupted ({signal.Signals(signum).name}); nothing was applied"


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_help())
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        print("(`python -m offline --help` for more)", file=sys.stderr)
        return 2
    name = argv[0]
    stop = None
    try:
        # From the first import on: Ctrl-C while Pulumi loads is no traceback either.
        with interruptible(grace=STOP_GRACE_SECONDS.get(name), line=_interrupted_line,
                           quiet=name in QUIET_WHEN_STOPPED) as stop:
            status = _command(name)(argv[1:], stop=stop)
            if status < 128:  # the command did not report the interruption itself
                stop.check()  # a signal during its last steps still ends as an interruption, not as success
            return status
    except Interrupted as exc:  # a command with its own account of what was left catches it itself
        if stop is not None:
            stop.say(_interrupted_line(exc.signum))
        else:  # the signal came while the handlers were being installed
            print(_interrupted_line(exc.signum), file=sys.stderr)
        return exc.exit_status


if __name__ == "__main__":
    status = main(sys.argv[1:])
    if status >= 128:  # interrupted mid-run: skip interpreter teardown (an event loop cut short would complain)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
