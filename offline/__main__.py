"""`python -m offline <command>`: the offline engine's command line (`--help` lists the commands):
`preview <stack> [--json] [--out DIR] ...`, `verify`, `migrate-controlplane`."""

import os
import sys

from offline.interrupts import Interrupted, interruptible

COMMANDS = {
    "preview": "what `pulumi preview` would show, offline: tree, --json, --out DIR (report.md), --compare BASE",
    "verify": "check a live cluster against the stack (--kubeconfig FILE)",
    "migrate-controlplane": "migrate terway-controlplane config on a live cluster (--kubeconfig, --backup-dir)",
}
USAGE = "usage: python -m offline preview <stack> [--json] [--out DIR] [--config FILE] [--inventory FILE] " \
        "[--policy-pack-config FILE] [--compare BASE.json] [--no-policy] [--progress|--no-progress]\n" \
        "       python -m offline verify <stack> --kubeconfig FILE [--json] [--canary] [--outputs FILE]\n" \
        "       python -m offline migrate-controlplane --kubeconfig FILE --backup-dir DIR " \
        "[--apply | --restore | --finish]"


def _day2(command: str):
    """Day-2 commands against a live cluster, imported only when asked for (they load the Kubernetes client)."""
    if command == "verify":
        from offline.verify import main
    else:
        from offline.migrate import main
    return main


def _help() -> str:
    lines = [USAGE, "", "ackstack's offline engine: the real program, validation and the CrossGuard policy pack, "
             "without the Pulumi CLI or a cloud account.", "", "commands:"]
    lines += [f"  {name:22} {text}" for name, text in COMMANDS.items()]
    lines += ["", "`python -m offline <command> --help` lists a command's options. Exit status: 0 no error finding, "
              "1 an error finding, 2 unreadable input, 130/143 interrupted."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_help())
        return 0
    if argv and argv[0] in ("verify", "migrate-controlplane"):
        return _day2(argv[0])(argv[1:])
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        print("(`python -m offline --help` for more)", file=sys.stderr)
        return 2
    try:
        with interruptible():  # from the first import on: Ctrl-C while Pulumi loads is no traceback either
            from offline.preview import main as preview_main

            return preview_main(argv[1:])
    except Interrupted as exc:
        print(f"ackstack: interrupted ({exc.signal_name}); nothing was applied", file=sys.stderr)
        return exc.exit_status


if __name__ == "__main__":
    status = main(sys.argv[1:])
    if status >= 128:  # interrupted mid-run: skip interpreter teardown (an event loop cut short would complain)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
