"""`ackstack preview <stack>`: what `pulumi preview` would show, without CLI or cloud.

Runs the real `__main__.py` under the offline engine, then (when something was registered) the
CrossGuard pack over its gRPC protocol, and prints a tree, or JSON, or writes reviewer files.
Exit status: 0 no error finding, 1 an error finding, 2 unreadable input.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ackstack.engine.engine import ProgramRun, Registration, mask_secret_leaves, mask_secrets, run_program
from ackstack.inputs.errors import InputError
from ackstack.inputs.inventory import Inventory, InventoryError
from ackstack.inputs.project import project_root
from ackstack.inputs.stackfile import StackFileError, read_stack_file, stack_file_path
from ackstack.preview.compare import COMPARISON_NOT_RUN, change_summary, compare, load_baseline

# The program every stack of the project runs (the project's `__main__.py` calls it).
PROGRAM = "components.program:main"
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

class Progress:
    """Stage lines on stderr (`ackstack: [3.1s] ...`), so a long run (1,000 PodNetworkings) shows it is
    alive; off unless asked for or stderr is a terminal, so pipes and CI logs stay quiet."""

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled, self._clock, self._start = enabled, time.perf_counter, time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"ackstack: [{self._clock() - self._start:5.1f}s] {message}", file=sys.stderr, flush=True)


_QUIET = Progress(False)


@dataclass
class PreviewResult:
    stack: str
    run: ProgramRun
    findings: list[dict]
    resources: list[dict]
    outputs: dict[str, Any]
    capacity: dict = field(default_factory=dict)
    config: Any = None  # the parsed StackConfig, when it parsed
    plan: Any = None
    changes: dict | None = None  # with --compare: ackstack.preview.compare.Comparison.changes
    cilium_check: dict | None = None  # BYOCNI: which check of the Cilium values ran (helm render or rules only)
    concealer: Any = None  # the stack's secret texts: every text printed or written is masked with it

    @property
    def blocked(self) -> bool:
        return any(f["level"] == "error" for f in self.findings)

    def document(self) -> dict:
        doc = {"stack": self.stack, "resources": self.resources, "findings": self.findings,
               "outputs": self.outputs, "capacity": self.capacity}
        if self.changes is not None:
            doc["changes"] = self.changes
        if self.cilium_check is not None:
            doc["ciliumValuesCheck"] = self.cilium_check
        return doc


def load_inputs(stack: str, config_file: str | None, inventory_file: str | None):
    path = Path(config_file) if config_file else stack_file_path(project_root(), stack)
    try:
        stack_file = read_stack_file(path)
    except StackFileError as exc:
        raise InputError(str(exc)) from None
    inventory_path = Path(inventory_file) if inventory_file else project_root() / "inventory" / f"{stack}.yaml"
    try:
        inventory = Inventory.load(inventory_path) if (inventory_file or inventory_path.exists()) else Inventory()
    except InventoryError as exc:
        raise InputError(str(exc)) from None
    return stack_file, inventory


def run_preview(
    stack: str,
    *,
    config_file: str | None = None,
    inventory_file: str | None = None,
    policy: bool = True,
    policy_config_file: str | None = None,
    compare_file: str | None = None,  # the base: `pulumi stack export` output or a `--json` preview
    progress: Progress = _QUIET,
) -> PreviewResult:
    stack_file, inventory = load_inputs(stack, config_file, inventory_file)
    policy_config = _load_policy_config(policy_config_file)  # read even with --no-policy: bad input is exit 2
    if compare_file:  # an unreadable or foreign base is refused before anything runs
        compare_file = load_baseline(compare_file, stack=stack)
    # The pack starts (a Python process) on the other core while the program runs.
    session = _start_policy_pack(stack) if policy else None
    try:
        progress(f"running the program for stack `{stack}` (validation first, then registration)")
        run = run_program(PROGRAM, config=stack_file.config, stack=stack, secret_keys=stack_file.secret_keys,
                          inventory=inventory)
        progress(f"{len(run.registrations)} resource(s) registered")
        if session is not None:  # the user's policy config is checked whether or not anything is analysed
            _configure_policy_pack(session, policy_config, policy_config_file)
        return _finish_preview(stack, run, stack_file, inventory, session, policy_config, compare_file, progress)
    finally:
        if session is not None:
            session.close()


def _finish_preview(stack, run, stack_file, inventory, session, policy_config, compare_file,
                    progress: Progress = _QUIET) -> PreviewResult:
    findings = _program_findings(run)
    # Same inputs, same bytes: the engine sees registrations in completion order, which varies run to run.
    concealer = stack_concealer(stack_file)
    resources = sorted((_resource_dict(r, concealer) for r in run.registrations), key=lambda r: r["urn"])
    outputs = {k: ("[secret]" if k in run.secret_outputs else mask_secrets(v)) for k, v in run.outputs.items()}
    result = PreviewResult(stack, run, findings, resources, outputs)
    policy_findings = None
    if session is not None and run.registrations:  # the pack analyses on its own core while the plan is rebuilt
        progress(f"policy pack analysing {len(run.registrations)} resource(s) over gRPC")
        policy_findings = _start_policy_findings(run, session, policy_config)
    _attach_plan(result, stack_file.config, inventory)
    if compare_file and run.error is not None:  # a plan that stopped is no change, and lost nothing: say so
        result.changes = {"against": compare_file.path, "source": compare_file.source, "baseTime": compare_file.time,
                          "summary": {}, "resources": [], "notRun": COMPARISON_NOT_RUN}
    elif compare_file:
        progress(f"comparing with {compare_file.path}")
        comparison = compare(result, compare_file)
        result.changes = comparison.changes
        result.findings.extend(comparison.findings)
    if policy_findings is not None:
        result.findings.extend(_with_config_paths(policy_findings(), run, result.config))
    result.concealer = concealer
    if result.concealer:  # no finding, whoever wrote it (program, comparison, policy pack), shows a secret
        for finding in result.findings:
            finding["message"] = result.concealer.mask(str(finding.get("message", "")))
    return result


def _with_config_paths(findings: list[dict], run: ProgramRun, config) -> list[dict]:
    """A policy finding about a resource a config entry made names that entry's config path."""
    from ackstack.preview.resource_paths import entry_path, resource_paths

    paths = resource_paths(config)
    by_urn = {r.urn: entry_path(paths, config, r.type, r.name) for r in run.registrations}
    for finding in findings:
        if not finding.get("path"):
            finding["path"] = by_urn.get(finding.get("urn", ""), "")
    return findings


def stack_concealer(stack_file):
    from components.secrets import Concealer, secret_texts

    return Concealer(secret_texts(stack_file.config, stack_file.secret_keys))


def _program_findings(run: ProgramRun) -> list[dict]:
    from ackstack.engine.terway_controlplane import AdmissionDenied, NotReady, SecretNotFound
    from components.validation.findings import Finding, ValidationFailed

    if isinstance(run.error, ValidationFailed):
        return [f.as_dict() for f in run.error.findings]
    if isinstance(run.error, AdmissionDenied | NotReady | SecretNotFound):  # what `pulumi up` would stop at
        rule_id = {AdmissionDenied: "PNW014", NotReady: "PNW019", SecretNotFound: "TWY022"}[type(run.error)]
        return [Finding(rule_id, "error", "", str(run.error), source="engine").as_dict()]
    if run.error is not None:
        raise run.error
    findings = []
    for level, message in run.logs:
        if level != "warning":
            continue
        finding = Finding.from_line(message)
        if finding is not None:
            findings.append(finding.as_dict())
    findings += [Finding(failure.rule, "error", "", failure.message(), source="provider", urn=urn).as_dict()
                 for urn, failure in run.check_failures]
    return findings


def _attach_plan(result: PreviewResult, config: dict, inventory: Inventory) -> None:
    """The typed plan again, for the capacity report: same loader, facts from the same inventory."""
    from components.capacity import capacity_report
    from components.config_loader import load
    from components.plan import build_plan

    loaded = load(config)
    if loaded.config is None:
        return
    result.config = loaded.config
    result.plan = build_plan(loaded.config, inventory.cloud_facts())
    result.capacity = capacity_report(result.plan)
    if loaded.config.is_byocni:
        from components.cilium_render import render_check

        # The same decision CIL020 took in the program: the inputs (helm, package) did not change since.
        check = render_check(loaded.config.cni.cilium.chart_version, loaded.config.cni.cilium.chart_path)
        result.cilium_check = {"mode": check.mode, "detail": check.detail}


def _load_policy_config(path: str | None) -> dict | None:
    from ackstack.preview.analyzer import load_policy_config

    return load_policy_config(path) if path else None


def _configure_policy_pack(session, policy_config: dict | None, policy_config_file: str | None) -> None:
    """The config against the pack's own schemas, as the CLI checks it before analysis: a wrong value is the
    user's input (exit 2, one line naming the file, the policy and the field), not a finding per resource."""
    from ackstack.preview.analyzer import PolicyConfigError

    try:
        session.configure(policy_config=policy_config)
    except PolicyConfigError as exc:
        where = f"policy pack config {policy_config_file}" if policy_config_file else "the policy pack's own config"
        raise PolicyConfigError(f"{where}: {exc}") from None


def _start_policy_pack(stack: str):
    from ackstack.preview.analyzer import PolicyPackSession

    pack = project_root() / "policies"
    if not (pack / "PulumiPolicy.yaml").is_file():
        raise InputError(f"no policy pack at {pack} (PulumiPolicy.yaml): run from the project that holds it, "
                         f"or pass --no-policy")
    return PolicyPackSession(pack, stack=stack, project="ackstack", config={"ackstack:stack": stack})


def _start_policy_findings(run: ProgramRun, session, policy_config: dict | None):
    """Sends the analysis; the returned call waits for the sorted findings. The pack sees what the real engine
    shows it in a preview of the stack: checked inputs with unknowns where the engine has them, outputs for
    the stack analysis (ackstack/engine/engine_view.py)."""
    from ackstack.engine.engine_view import preview_view
    from ackstack.preview.analyzer import AnalyzedResource

    resources = [
        AnalyzedResource(urn=r.urn, type=r.type, name=r.name, properties=r.inputs, parent=r.parent,
                         dependencies=r.dependencies, property_dependencies=r.property_dependencies,
                         custom=r.custom, provider=r.provider, protect=r.protect, stack_properties=r.outputs)
        for r in preview_view(run) if r.op != "read"
    ]
    pending = session.start_analysis(resources, policy_config=policy_config)
    return lambda: sorted(pending(), key=lambda f: (f["rule"], f["urn"], f["message"]))


def _resource_dict(reg: Registration, concealer=None) -> dict:
    found = {
        "urn": reg.urn,
        "type": reg.type,
        "name": reg.name,
        "id": reg.id,
        "parent": reg.parent,
        "custom": reg.custom,
        "inputs": mask_secret_leaves(reg.inputs, concealer),
        "dependencies": sorted(reg.dependencies),
        "propertyDependencies": {k: sorted(v) for k, v in sorted(reg.property_dependencies.items()) if v},
        "protect": reg.protect,
        "provider": reg.provider,
        "options": reg.options,
    }
    if isinstance(reg.outputs.get("status"), dict) and reg.type.endswith(":PodNetworking"):
        found["status"] = mask_secrets(reg.outputs["status"])  # terway-controlplane's status, as the engine set it
    return found


# ---------------------------------------------------------------- rendering
def render_tree(result: PreviewResult) -> str:
    lines = [f"Previewing stack '{result.stack}' (offline engine; no cloud calls)", ""]
    children: dict[str | None, list[dict]] = {}
    urns = {r["urn"] for r in result.resources}
    for res in result.resources:
        parent = res["parent"] if res["parent"] in urns else None
        children.setdefault(parent, []).append(res)

    def walk(parent: str | None, depth: int) -> None:
        for res in children.get(parent, []):
            flags = " [protected]" if res["protect"] else ""
            lines.append(f"{'    ' * depth}+ {res['type']}  {res['name']}{flags}")
            walk(res["urn"], depth + 1)

    if result.resources:
        lines.append(f"Resources planned: {len(result.resources)} (the change against the base is below)"
                     if result.changes is not None else f"Resources to create: {len(result.resources)}")
        walk(None, 1)
    else:
        lines.append("Resources to create: none (validation stopped the program before registration)")
    lines.append("")
    if result.changes is not None:
        lines += render_changes_text(result.changes) + [""]
    if result.capacity:
        from components.capacity import render_capacity_text

        lines.append(render_capacity_text(result.capacity))
        lines.append("")
    errors = [f for f in result.findings if f["level"] == "error"]
    warnings = [f for f in result.findings if f["level"] != "error"]
    if result.cilium_check is not None:
        lines.append(f"Cilium values: {result.cilium_check['detail']} (CIL020)")
    lines.append(f"Findings: {len(errors)} error(s), {len(warnings)} warning(s)")
    for f in errors + warnings:
        where = f["path"] or f["urn"] or "stack"
        lines.append(f"  {f['level'].upper():7} [{f['source']}] {f['rule']}  {where}: {f['message']}")
    lines.append("")
    if result.outputs:
        lines.append("Outputs:")
        for key, value in result.outputs.items():
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            lines.append(f"    {key}: {text}")
    lines.append("")
    lines.append("Result: " + ("BLOCKED (error findings)" if result.blocked else "OK"))
    return "\n".join(lines)


def render_changes_text(changes: dict) -> list[str]:
    marks = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}
    lines = [f"Changes against {changes['against']} ({changes['source']}): {change_summary(changes)}"]
    for entry in changes["resources"]:
        flags = " [protected]" if entry["protect"] else ""
        lines.append(f"  {marks[entry['action']]:2} {entry['action']:7} {entry['type']}  {entry['name']}{flags}")
        for f in entry["fields"]:
            why = "  (forces replacement)" if f["replaces"] else ""
            lines.append(f"        {f['field']}: {_short(f['old'])} => {_short(f['new'])}{why}")
    return lines


def _short(value: Any) -> str:
    text = "(unset)" if value is None else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


# What ackstack owns in an `--out` directory: a run replaces all of these at once, so a manifest of an object that
# no longer exists (or of another stack written there before) never survives; anything else in the directory is
# the user's and stays. `.ackstack-written` is the listing earlier versions kept (dropped with the rest).
OUT_OWNED = ("manifests", "preview.json", "report.md", "report-full.md", ".ackstack-written")


class OutputError(Exception):
    """`--out` cannot be written (exit 2, one line)."""


def write_out(result: PreviewResult, out_dir: str) -> list[Path]:
    """Write into a new directory beside `out_dir`, then swap it in: a reader (or a run that failed or was
    interrupted half-way) never sees a mix of two runs, a cut `preview.json`, or manifests without a report."""

    out = Path(out_dir)
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(f"cannot write --out {out}: it is a file, not a directory")
        if Path.cwd().resolve().is_relative_to(out.resolve()):
            raise OutputError(f"cannot write --out {out}: it holds the current directory; give the output a "
                              "directory of its own")
        out.parent.mkdir(parents=True, exist_ok=True)
        with _out_lock(out):
            _remove_leftovers(out)
            staging = out.with_name(f".{out.name}.ackstack-new-{secrets.token_hex(6)}")
            staging.mkdir()  # the user's umask, as a directory of its own would have (mkdtemp: 0700)
            try:
                written = _write_files(result, staging)
                _swap_in(staging, out)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # gone after the swap; a failed run leaves nothing
    except OSError as exc:
        where = exc.filename or out
        raise OutputError(f"cannot write --out {out}: {where}: {exc.strerror or exc}") from None
    return [out / path.relative_to(staging) for path in written]


def _write_files(result: PreviewResult, into: Path) -> list[Path]:
    from ackstack.preview.manifests import write_manifests
    from ackstack.preview.report import FULL_REPORT, write_report

    written = write_manifests(result, into)
    preview_json = into / "preview.json"
    preview_json.write_text(json.dumps(result.document(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(preview_json)
    written.append(write_report(result, into))
    if (into / FULL_REPORT).exists():
        written.append(into / FULL_REPORT)
    if result.concealer:  # tables and diagrams show config values: a secret one is masked there too
        for path in written:
            text = path.read_text(encoding="utf-8")
            if (masked := result.concealer.mask(text)) != text:
                path.write_text(masked, encoding="utf-8")
    return written


def _swap_in(staging: Path, out: Path) -> None:
    """`staging` becomes `out`; the user's own files in `out` move along. Signals wait: never half a swap."""

    from ackstack.interrupts import signals_deferred

    with signals_deferred():
        if not out.exists():
            staging.rename(out)
            return
        for entry in out.iterdir():
            if entry.name not in OUT_OWNED:
                entry.rename(staging / entry.name)
        previous = out.with_name(f".{out.name}.ackstack-old-{os.getpid()}")
        out.rename(previous)
        staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


def _lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.ackstack-lock")


def _out_lock(out: Path):
    """An exclusive lock beside `out` for the whole write: a second run writing the same directory is refused
    (two runs used to both exit 0 with their manifests mixed)."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def held():
        with _lock_path(out).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(f"cannot write --out {out}: another ackstack run is writing it "
                                  f"(lock {_lock_path(out)})") from None
            yield

    return held()


def _remove_leftovers(out: Path) -> None:
    """Directories a killed run left beside `out` (the lock is held: no run is using them)."""

    for pattern in (f".{out.name}.ackstack-new-*", f".{out.name}.ackstack-old-*"):
        for leftover in out.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def main(argv: list[str], stop=None) -> int:
    """`stop`: the dispatcher's `ackstack.interrupts.Stop` (signals are handled there)."""
    import argparse

    parser = argparse.ArgumentParser(prog="ackstack preview", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--config", dest="config_file", help="stack file to read instead of Pulumi.<stack>.yaml")
    parser.add_argument("--inventory", help="YAML inventory of pre-existing cloud objects "
                        "(default inventory/<stack>.yaml when present)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the tree")
    parser.add_argument("--out", help="write manifests, preview.json and report.md into this directory")
    parser.add_argument("--no-policy", action="store_true", help="skip the CrossGuard policy pack")
    parser.add_argument("--policy-pack-config", help="policy configuration JSON, as `pulumi preview "
                        "--policy-pack-config` takes it")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="stage lines on stderr (default: when stderr is a terminal)")
    parser.add_argument("--compare", metavar="BASE.json",
                        help="the deployed state (`pulumi stack export` output) or an earlier `--json` preview "
                        "(e.g. of the base branch): show what changes, warn about replacements, refuse one-way "
                        "switches, protected replacements and deletions of stateful resources")
    args = parser.parse_args(argv)
    return _preview(args, stop)


def _stopped(stop) -> None:
    """After a stop signal any failure is the interruption (an interrupt raised inside a library callback
    comes back wrapped, e.g. as pydantic's SchemaError): report that, not an error of its own."""
    if stop is not None:
        stop.check()


def _preview(args, stop=None) -> int:
    from ackstack.preview.analyzer import PolicyConfigError

    progress = Progress(sys.stderr.isatty() if args.progress is None else args.progress)
    try:
        result = run_preview(args.stack, config_file=args.config_file, inventory_file=args.inventory,
                             policy=not args.no_policy, policy_config_file=args.policy_pack_config,
                             compare_file=args.compare, progress=progress)
        text = json.dumps(result.document(), indent=2, sort_keys=True) if args.json else render_tree(result)
        if result.concealer:
            text = result.concealer.mask(text)
        if args.out:  # written before anything is printed: a failed write never follows an "OK"
            progress(f"writing {args.out}")
            write_out(result, args.out)
    except (InputError, PolicyConfigError, OutputError) as exc:
        _stopped(stop)
        print(f"ackstack: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug in ackstack, not the user's input: still one readable line
        _stopped(stop)
        print(f"ackstack: internal error ({type(exc).__name__}): {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)
        return EXIT_INTERNAL
    print(text)
    progress("done")
    return EXIT_FINDINGS if result.blocked else EXIT_OK
