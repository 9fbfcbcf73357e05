"""`python -m offline preview <stack> [--json] [--out DIR] ...`"""

import sys

from offline.preview import main as preview_main

USAGE = "usage: python -m offline preview <stack> [--json] [--out DIR] [--config FILE] [--inventory FILE] " \
        "[--policy-pack-config FILE] [--compare PREVIOUS.json] [--no-policy]"


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "preview":
        print(USAGE, file=sys.stderr)
        return 2
    return preview_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
