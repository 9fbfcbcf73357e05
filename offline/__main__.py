"""`python -m offline preview <stack> [--json] [--out DIR] ...`, `verify`, `migrate-controlplane`."""

import os
import sys

from offline.interrupts import Interrupted, interruptible

USAGE = "usage: python -m offline preview <stack> [--json] [--out DIR] [--config FILE] [--inventory FILE] " \
        "[--policy-pack-config FILE] [--compare PREVIOUS.json] [--no-policy]\n" \
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


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("verify", "migrate-controlplane"):
        return _day2(argv[0])(argv[1:])
    if not argv or argv[0] != "preview":
        print(USAGE, file=sys.stderr)
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
