"""`python -m ackstack.engine.plugins <alicloud|kubernetes> [engine address] [flags]`: what the plugin executables run."""

import sys

from ackstack.engine.plugins.server import serve
from ackstack.engine.plugins.store import Store


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("alicloud", "kubernetes"):
        print("usage: python -m ackstack.engine.plugins <alicloud|kubernetes> [engine address]", file=sys.stderr)
        return 2
    if argv[0] == "alicloud":
        from ackstack.engine.plugins.alicloud import make
    else:
        from ackstack.engine.plugins.kubernetes import make
    return serve(make(Store.from_env()), argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
