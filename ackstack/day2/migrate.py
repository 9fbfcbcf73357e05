"""`ackstack migrate-controlplane`: the seed's "stop terway-controlplane before cluster migration".

An ACK dedicated cluster with custom pod configuration (PodNetworking) cannot be hot-migrated to a
managed Pro cluster while terway-controlplane runs (SEED-TRUNK). Three steps, each a dry run that
changes nothing unless `--apply` is given:

- default (before the migration): back up the Deployment and the terway-controlplane mutating and
  validating webhook configurations to `--backup-dir` (exactly the bytes the API server returned),
  then scale the Deployment to 0 and delete both webhook configurations;
- `--restore` (the migration failed): put the backed-up webhook configurations back and scale the
  Deployment to its backed-up replica count;
- `--finish` (the migration succeeded): delete the Deployment; terway-controlplane is then installed
  as the managed cluster's add-on (ackstack's adopted-cluster path does it).

The seed scales first and backs up second; this command backs up first, so that nothing is stopped
unless the backup is on disk. `--restore` and `--finish` refuse to act without a complete backup.
Exit status: 0 done (or dry run), 1 refused, 2 the kubeconfig or cluster cannot be read, 130/143
interrupted by SIGINT/SIGTERM. An interruption never cuts a backup write or an API write in half (each
runs with the signals held); the one line on stderr says what was changed before it and how to undo it.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ackstack.day2.kube import ApiError, ClusterUnreachable, Kube, core_path, group_path
from ackstack.interrupts import Interrupted, signals_deferred
from ackstack_core import constants as C

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2
MANIFEST = "backup.json"
DEPLOYMENT_FILE = f"{C.TERWAY_CONTROLPLANE_DEPLOYMENT}.deployment.json"
# The seed's backup file names, with .json: the command keeps the API server's own JSON bytes.
WEBHOOK_KINDS = {
    "mutatingwebhookconfigurations": "MutatingWebhookConfiguration",
    "validatingwebhookconfigurations": "ValidatingWebhookConfiguration",
}
# Set by the API server on every object; a create must not carry them.
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")


class Refused(Exception):
    """A precondition does not hold; nothing was changed (exit 1)."""


def webhook_file(resource: str) -> str:
    return f"{C.TERWAY_CONTROLPLANE_WEBHOOK}.{resource}.json"


def webhook_path(resource: str) -> str:
    return group_path(C.WEBHOOK_CONFIGURATION_API_VERSION, resource, C.TERWAY_CONTROLPLANE_WEBHOOK)


def deployment_path() -> str:
    return group_path("apps/v1", "deployments", C.TERWAY_CONTROLPLANE_DEPLOYMENT, C.TERWAY_CONTROLPLANE_NAMESPACE)


DEPLOYMENT_NAME = f"Deployment {C.TERWAY_CONTROLPLANE_NAMESPACE}/{C.TERWAY_CONTROLPLANE_DEPLOYMENT}"


def for_create(raw: bytes) -> dict:
    """A backed-up object as a create/replace body: the same content without server-set metadata."""
    obj = json.loads(raw)
    meta = obj.get("metadata") or {}
    for key in SERVER_FIELDS:
        meta.pop(key, None)
    obj.pop("status", None)
    return obj


# ---------------------------------------------------------------- backup on disk
@dataclass
class Backup:
    directory: Path
    replicas: int
    webhooks: dict[str, bytes]  # resource plural -> raw object (absent when the cluster had none)

    @classmethod
    def read(cls, directory: Path) -> Backup:
        """The complete backup, or Refused naming what is missing or altered."""
        manifest_path = directory / MANIFEST
        if not manifest_path.is_file():
            raise Refused(f"no backup in {directory} ({MANIFEST} missing): run the prepare step with --apply first, "
                          f"or pass the --backup-dir it wrote")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise Refused(f"backup manifest {manifest_path} cannot be read ({type(exc).__name__})") from None
        webhooks: dict[str, bytes] = {}
        for name, digest in manifest.get("files", {}).items():
            path = directory / name
            data = path.read_bytes() if path.is_file() else None
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                raise Refused(f"backup file {path} is missing or changed since it was written (sha256 {digest})")
            for resource in WEBHOOK_KINDS:
                if name == webhook_file(resource):
                    webhooks[resource] = data
        return cls(directory, int(manifest.get("replicas", C.TERWAY_CONTROLPLANE_RESTORE_REPLICAS)), webhooks)

    @staticmethod
    def write(directory: Path, deployment: bytes, webhooks: dict[str, bytes], replicas: int) -> None:
        """Every file, then the manifest with their digests last: no manifest, no backup."""
        directory.mkdir(parents=True, exist_ok=True)
        files = {DEPLOYMENT_FILE: deployment, **{webhook_file(r): raw for r, raw in webhooks.items()}}
        for name, data in files.items():
            (directory / name).write_bytes(data)
        manifest = {"replicas": replicas, "files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}}
        (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        Backup.read(directory)  # read back: refuse to go on with a backup that does not verify


# ---------------------------------------------------------------- steps
Say = Callable[[str], None]


class Applied(list):
    """What was done so far, each recorded only once it is complete (for the interrupted line)."""

    def act(self, what: str, change: Callable[[], object], *, cluster: bool = True) -> None:
        with signals_deferred():  # a write is sent whole or not at all, and recorded with it
            change()
            self.append((what, cluster))

    def cluster_changed(self) -> bool:
        return any(cluster for _, cluster in self)


def prepare(kube: Kube, backup_dir: Path, apply: bool, say: Say, applied: Applied) -> None:
    if (backup_dir / MANIFEST).exists():
        raise Refused(f"a backup already exists in {backup_dir}: run --restore or --finish, or choose another "
                      f"--backup-dir (overwriting it could lose the only copy of the webhook configurations)")
    deployment = kube.get_raw(deployment_path())
    if deployment is None:
        raise Refused(f"{DEPLOYMENT_NAME} not found: custom pod configuration is not enabled, nothing to stop")
    _say_cluster_kind(kube, say)
    replicas = int((json.loads(deployment).get("spec") or {}).get("replicas", 1))
    webhooks = {}
    for resource, kind in WEBHOOK_KINDS.items():
        raw = kube.get_raw(webhook_path(resource))
        if raw is None:
            say(f"note: {kind} {C.TERWAY_CONTROLPLANE_WEBHOOK} not found; nothing to back up or delete")
        else:
            webhooks[resource] = raw
    verb = "" if apply else "would "
    files = [DEPLOYMENT_FILE, *(webhook_file(r) for r in webhooks), MANIFEST]
    say(f"{verb}back up to {backup_dir}: {', '.join(files)}")
    if apply:
        try:
            applied.act(f"backed up to {backup_dir}",
                        lambda: Backup.write(backup_dir, deployment, webhooks, replicas), cluster=False)
        except OSError as exc:
            raise Refused(f"cannot write the backup to {backup_dir} ({exc.strerror or type(exc).__name__}): "
                          f"nothing was stopped") from None
    say(f"{verb}scale {DEPLOYMENT_NAME} from {replicas} to 0 replicas")
    if apply:
        applied.act(f"scaled {DEPLOYMENT_NAME} to 0",
                    lambda: kube.patch(deployment_path(), {"spec": {"replicas": 0}}))
    for resource in webhooks:
        say(f"{verb}delete {WEBHOOK_KINDS[resource]} {C.TERWAY_CONTROLPLANE_WEBHOOK}")
        if apply:
            applied.act(f"deleted {WEBHOOK_KINDS[resource]}", lambda r=resource: kube.delete(webhook_path(r)))
    say("ready for the migration" if apply else "dry run: nothing changed; add --apply to act")


def restore(kube: Kube, backup_dir: Path, apply: bool, say: Say, applied: Applied) -> None:
    backup = Backup.read(backup_dir)
    if kube.get(deployment_path()) is None:
        raise Refused(f"{DEPLOYMENT_NAME} is gone (was --finish run?): restoring the webhooks without the "
                      f"controller that serves them would block pod admission; install the add-on instead")
    verb = "" if apply else "would "
    for resource, raw in backup.webhooks.items():
        body = for_create(raw)
        live = kube.get(webhook_path(resource))
        say(f"{verb}{'replace' if live else 'create'} {WEBHOOK_KINDS[resource]} {C.TERWAY_CONTROLPLANE_WEBHOOK} "
            f"from {backup_dir / webhook_file(resource)}")
        if not apply:
            continue
        if live is None:
            applied.act(f"created {WEBHOOK_KINDS[resource]}", lambda r=resource, b=body: kube.create(
                group_path(C.WEBHOOK_CONFIGURATION_API_VERSION, r), b))
        else:
            body["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
            applied.act(f"replaced {WEBHOOK_KINDS[resource]}",
                        lambda r=resource, b=body: kube.replace(webhook_path(r), b))
    say(f"{verb}scale {DEPLOYMENT_NAME} to {backup.replicas} replicas (as backed up)")
    if apply:
        applied.act(f"scaled {DEPLOYMENT_NAME} to {backup.replicas}",
                    lambda: kube.patch(deployment_path(), {"spec": {"replicas": backup.replicas}}))
    say("terway-controlplane restored" if apply else "dry run: nothing changed; add --apply to act")


def finish(kube: Kube, backup_dir: Path, apply: bool, say: Say, applied: Applied) -> None:
    Backup.read(backup_dir)  # proof that the prepare step ran (and a way back until now)
    verb = "" if apply else "would "
    if kube.get(deployment_path()) is None:
        say(f"{DEPLOYMENT_NAME} is already gone")
    else:
        say(f"{verb}delete {DEPLOYMENT_NAME}")
        if apply:
            applied.act(f"deleted {DEPLOYMENT_NAME}",
                        lambda: kube.delete(deployment_path(), propagation="Background"))
    say("next: install terway-controlplane as an add-on of the managed Pro cluster, either with ackstack's "
        "adopted-cluster path (set `ackstack:cluster.existing.clusterId` to the cluster's id and "
        "`existing.managed: true` in Pulumi.<stack>.yaml, then `pulumi up`: it installs the terway-controlplane "
        "add-on and re-applies the PodNetworkings), or from the console's Add-ons page (SEED-TRUNK step 3); then "
        "run `ackstack verify <stack> --kubeconfig FILE --canary`")
    if not apply:
        say("dry run: nothing changed; add --apply to act")


def _say_cluster_kind(kube: Kube, say: Say) -> None:
    """Dedicated clusters list their masters as nodes; say so (a heuristic, unverified) but never refuse."""
    nodes = kube.list(core_path("nodes"))
    masters = [n["metadata"]["name"] for n in nodes
               if set(n["metadata"].get("labels") or {}) & set(C.NODE_ROLE_MASTER_LABELS)]
    if masters:
        say(f"cluster lists {len(masters)} master node(s): an ACK dedicated cluster")
    else:
        say("warning: no master nodes listed; this looks like a managed cluster, where no migration is needed "
            "(heuristic, unverified)")


def main(argv: list[str], stop=None) -> int:
    """`stop`: the dispatcher's signal state (unused: every wait here is one bounded API call)."""
    import argparse

    parser = argparse.ArgumentParser(prog="ackstack migrate-controlplane",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True, help="kubeconfig of the dedicated cluster")
    parser.add_argument("--backup-dir", required=True, help="where the backups are written / read")
    step = parser.add_mutually_exclusive_group()
    step.add_argument("--restore", action="store_true", help="the migration failed: put the backups back")
    step.add_argument("--finish", action="store_true", help="the migration succeeded: delete the Deployment")
    parser.add_argument("--apply", action="store_true", help="act (default: dry run, nothing changes)")
    args = parser.parse_args(argv)
    action = restore if args.restore else finish if args.finish else prepare

    def say(text: str) -> None:
        print(text, flush=True)

    applied = Applied()
    try:
        with Kube(args.kubeconfig) as kube:
            action(kube, Path(args.backup_dir), args.apply, say, applied)
    except KeyboardInterrupt as exc:
        stopped = exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
        print(f"ackstack: interrupted ({stopped.signal_name}); {_left_behind(applied, args)}", file=sys.stderr)
        return stopped.exit_status
    except (Refused, ApiError, ClusterUnreachable) as exc:
        prefix = "refused: " if isinstance(exc, Refused) else ""
        print(f"ackstack: {prefix}{exc}", file=sys.stderr)
        return EXIT_UNREADABLE if isinstance(exc, ClusterUnreachable) else EXIT_REFUSED
    return EXIT_OK


def _left_behind(applied: Applied, args) -> str:
    if not applied.cluster_changed():
        return "the cluster was not changed" + "".join(f"; {what}" for what, _ in applied)
    done = "; ".join(what for what, _ in applied)
    if args.restore or args.finish:
        return f"done before it: {done}"
    return (f"done before it: {done}; to undo: migrate-controlplane --kubeconfig {args.kubeconfig} "
            f"--backup-dir {args.backup_dir} --restore --apply")
