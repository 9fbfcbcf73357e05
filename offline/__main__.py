"""`python -m offline <command>`: the offline engine's command line (`--help` lists the commands)."""

import sys

from offline.preview import main as preview_main

COMMANDS = {
    "preview": "what `pulumi preview` would show, offline: tree, --json, --out DIR (report.md), --compare BASE",
}
USAGE = "usage: python -m offline preview <stack> [--json] [--out DIR] [--config FILE] [--inventory FILE] " \
        "[--policy-pack-config FILE] [--compare BASE.json] [--no-policy] [--progress|--no-progress]"


def _help() -> str:
    lines = [USAGE, "", "ackstack's offline engine: the real program, validation and the CrossGuard policy pack, "
             "without the Pulumi CLI or a cloud account.", "", "commands:"]
    lines += [f"  {name:10} {text}" for name, text in COMMANDS.items()]
    lines += ["", "`python -m offline preview --help` lists the preview options. Exit status: 0 no error finding, "
              "1 an error finding, 2 unreadable input."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(_help())
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        print("(`python -m offline --help` for more)", file=sys.stderr)
        return 2
    return preview_main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
