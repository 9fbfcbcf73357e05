"""The cloud between CLI commands: one directory of JSON documents, read and written under a file lock.

Each CLI command starts fresh plugin processes (the alicloud and kubernetes plugins run side by side),
so what one `pulumi up` created must be on disk for the next `pulumi preview`, `refresh` or `destroy`.
Tests change an object here to play drift (`Store.drift`): the cloud changed behind Pulumi's back.

Layout of `ACKSTACK_CLOUD_DIR`: `cloud.json` (`ackstack.engine.cloud.Cloud.state()`), `<provider>.json`
(`{"objects": {id: {"type", "urn", "outputs"}}}`), `.lock`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CLOUD_DIR_ENV = "ACKSTACK_CLOUD_DIR"
INVENTORY_ENV = "ACKSTACK_INVENTORY"


class Store:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_env(cls) -> Store:
        directory = os.environ.get(CLOUD_DIR_ENV)
        if not directory:
            raise RuntimeError(f"{CLOUD_DIR_ENV} is not set: the plugin has nowhere to keep the cloud")
        return cls(directory)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with open(self.directory / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def read(self, name: str) -> dict:
        path = self.directory / f"{name}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def write(self, name: str, document: dict) -> None:
        """Atomically (a reader never sees half a document)."""
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.directory / f"{name}.json")

    # ------------------------------------------------------------------ objects
    def objects(self, provider: str) -> dict[str, dict]:
        return self.read(provider).get("objects", {})

    def put(self, provider: str, resource_id: str, type_: str, urn: str, outputs: dict) -> None:
        with self.locked():
            document = self.read(provider)
            document.setdefault("objects", {})[resource_id] = {"type": type_, "urn": urn, "outputs": outputs}
            self.write(provider, document)

    def remove(self, provider: str, resource_id: str) -> None:
        with self.locked():
            document = self.read(provider)
            document.setdefault("objects", {}).pop(resource_id, None)
            self.write(provider, document)

    def drift(self, provider: str, resource_id: str, changes: dict[str, Any]) -> dict:
        """Change a live object's fields behind Pulumi's back (ACK upgrading a cluster, a console edit)."""
        with self.locked():
            document = self.read(provider)
            stored = document.get("objects", {}).get(resource_id)
            if stored is None:
                raise KeyError(f"no {provider} object {resource_id} in {self.directory}")
            stored["outputs"].update(changes)
            self.write(provider, document)
            return stored["outputs"]

    def find(self, provider: str, type_: str, urn_name: str) -> str | None:
        """The id of the live object a resource of this type and name created (for tests and drift)."""
        for resource_id, stored in self.objects(provider).items():
            if stored["type"] == type_ and stored["urn"].rsplit("::", 1)[-1] == urn_name:
                return resource_id
        return None
