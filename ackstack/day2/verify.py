"""`ackstack verify <stack> --kubeconfig FILE`: is the live cluster what the stack planned?

Reads the cluster through the Kubernetes API and compares it with the plan of the same stack config
the preview validates: nodes, the CNI (Terway or Cilium) and every PodNetworking; `--canary` also
starts one pod per PodNetworking and checks where its IP came from. One progress line per check on
stderr; `--json` prints the results as one document.
Exit status: 0 every check holds, 1 a check failed, 2 the stack, kubeconfig or cluster cannot be read,
130/143 interrupted by SIGINT/SIGTERM (any canary deleted first).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable

from ackstack.day2.expected import Expected, PlanInputError, expected_state
from ackstack.day2.kube import ClusterUnreachable, Kube
from ackstack.day2.verify_checks import CheckResult
from ackstack.interrupts import Interrupted, Stop

EXIT_OK, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2


def run_checks(kube: Kube, expected: Expected, emit: Callable[[CheckResult], None], *, canary: bool = False,
               canary_options=None) -> None:
    """Every check for the stack's CNI mode, in a fixed order, each result handed to `emit` as it comes."""
    from ackstack.day2 import verify_checks as checks

    for check in checks.check_nodes(kube, expected):
        emit(check)
    per_mode = checks.check_byocni if expected.mode == "byocni-cilium" else checks.check_terway
    for check in per_mode(kube, expected):
        emit(check)
    if expected.mode != "terway-trunk":
        return
    for check in (*checks.check_namespaces(kube, expected), *checks.check_podnetworkings(kube, expected)):
        emit(check)
    if canary:
        from ackstack.day2.canary import CanaryOptions, run_canary

        for planned in expected.podnetworkings:
            run_canary(kube, expected, planned, canary_options or CanaryOptions(), emit)


def main(argv: list[str], canary_options=None, stop: Stop | None = None) -> int:
    """`stop`: the dispatcher's signal state; the canary's wait ends on it even if the raise was lost."""
    import argparse

    from ackstack.day2.canary import CanaryOptions

    parser = argparse.ArgumentParser(prog="ackstack verify", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--kubeconfig", required=True, help="kubeconfig of the cluster (e.g. from "
                        "`pulumi stack output kubeconfig --show-secrets > kubeconfig`)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    parser.add_argument("--canary", action="store_true", help="start one pod per PodNetworking, check its "
                        "PodENI, then delete it")
    parser.add_argument("--config", dest="config_file", help="stack file to read instead of Pulumi.<stack>.yaml")
    parser.add_argument("--inventory", help="YAML inventory of pre-existing cloud objects "
                        "(default inventory/<stack>.yaml when present)")
    parser.add_argument("--outputs", help="`pulumi stack output --json`: ids of the vSwitches and security "
                        "groups the stack created")
    parser.add_argument("--canary-image", default=None, help="image of the canary pod")
    parser.add_argument("--canary-timeout", type=float, default=None, help="seconds to wait for each canary")
    args = parser.parse_args(argv)
    options = canary_options or CanaryOptions()
    if args.canary_image:
        options.image = args.canary_image
    if args.canary_timeout is not None:
        options.timeout_seconds = args.canary_timeout
    if stop is not None:
        options.sleep = stop.sleep

    results: list[CheckResult] = []

    def emit(check: CheckResult) -> None:
        results.append(check)
        print(check.line(), file=sys.stderr, flush=True)

    try:
        expected = expected_state(args.stack, config_file=args.config_file, inventory_file=args.inventory,
                                  outputs_file=args.outputs)
        with Kube(args.kubeconfig) as kube:
            run_checks(kube, expected, emit, canary=args.canary, canary_options=options)
    except (PlanInputError, ClusterUnreachable) as exc:
        for finding in getattr(exc, "findings", ()):
            print(f"ackstack: {finding.line()}", file=sys.stderr)
        print(f"ackstack: {exc}", file=sys.stderr)
        if args.json:  # machines get a document whatever happened
            _print_json(args.stack, results, error=str(exc))
        return EXIT_UNREADABLE
    except KeyboardInterrupt as exc:  # the canary's `finally` has run
        stopped = exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
        print(f"ackstack: interrupted ({stopped.signal_name}); any canary was deleted", file=sys.stderr)
        return stopped.exit_status
    failed = [r for r in results if not r.ok]
    if args.json:
        _print_json(args.stack, results)
    else:
        print(f"verify {args.stack}: {len(results)} checks, {len(failed)} failed")
        if not _same_destination(sys.stdout, sys.stderr):  # a terminal already shows each FAIL line once
            for check in failed:
                print(f"  {check.line()}")
    return EXIT_FAILED if failed else EXIT_OK


def _same_destination(first, second) -> bool:
    """Both streams end in the same place (one terminal, or `> log 2>&1`): each check's line on stderr is
    already there, so the summary on stdout does not repeat the FAIL lines."""
    import os

    try:
        a, b = os.fstat(first.fileno()), os.fstat(second.fileno())
    except (AttributeError, OSError, ValueError):  # not a real file (captured output)
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _print_json(stack: str, results: list[CheckResult], error: str | None = None) -> None:
    document = {"stack": stack, "ok": error is None and all(r.ok for r in results),
                "checks": [r.as_dict() for r in results]}
    if error is not None:
        document["error"] = error
    print(json.dumps(document, indent=2))
