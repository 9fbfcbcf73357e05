"""`ackstack charts`: fetch the pinned Cilium chart packages into the chart cache, verified by digest.

Exit status: 0 every package is in the cache or stands in from the reference copy (the output says which), 2 a
package could not be fetched and has no stand-in, or its bytes are not the pinned ones.
"""

from __future__ import annotations

import argparse
import sys

from ackstack_core import constants as C
from components.chart_cache import FETCH_TIMEOUT_SECONDS, ChartFetchError, cache_dir, ensure

EXIT_OK, EXIT_INPUT = 0, 2


def main(argv: list[str], stop=None) -> int:
    parser = argparse.ArgumentParser(prog="ackstack charts", description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", metavar="VERSION",
                        help=f"chart versions (default: every pinned one: {', '.join(C.CILIUM_CHART_DIGESTS)})")
    parser.add_argument("--repo", default=C.CILIUM_CHART_REPO,
                        help="the Helm repository (or a mirror serving the same packages); default %(default)s")
    parser.add_argument("--timeout", type=float, default=FETCH_TIMEOUT_SECONDS, help="seconds per request")
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:
        return int(done.code or 0) and EXIT_INPUT
    status = EXIT_OK
    for version in args.versions or list(C.CILIUM_CHART_DIGESTS):
        if stop is not None:
            stop.check()
        try:
            package, why_not_fetched = ensure(version, args.repo, args.timeout)
        except ChartFetchError as exc:
            print(f"ackstack charts: cilium {version}: {exc}", file=sys.stderr)
            status = EXIT_INPUT
            continue
        print(f"cilium {version}: {package.path} ({package.origin})")
        if why_not_fetched:
            print(f"  not fetched: {why_not_fetched}", file=sys.stderr)
    print(f"chart cache: {cache_dir()}")
    return status
