"""`python -m offline preview <stack> [--json] [--out DIR] ...`, `verify`, `migrate-controlplane`."""

import sys

from offline.preview import main as preview_main

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
    return preview_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
