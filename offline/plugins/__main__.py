"""`python -m offline.plugins <alicloud|kubernetes> [engine address] [flags]`: what the plugin executables run."""

import sys

from offline.plugins.server import serve
from offline.plugins.store import Store


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("alicloud", "kubernetes"):
        print("usage: python -m offline.plugins <alicloud|kubernetes> [engine address]", file=sys.stderr)
        return 2
    if argv[0] == "alicloud":
        from offline.plugins.alicloud import make
    else:
        from offline.plugins.kubernetes import make
    return serve(make(Store.from_env()), argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
