"""A local fake Kubernetes API server for `verify` and `migrate-controlplane` tests.

Serves plain HTTP on 127.0.0.1 (ephemeral port) with the REST layout of the real API server
(`/api/v1/...`, `/apis/<group>/<version>/...`, namespaced or not): GET object/collection, POST,
PUT, DELETE and JSON merge PATCH. Objects are stored as the tests write them (real shapes: Terway's
CRDs, the seed's PodENI) and returned byte for byte. `on_create` hooks play the controllers a test
needs (e.g. Terway creating a pod's PodENI). Every request is recorded. The server stops itself after
`max_seconds` even if a test forgets to.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

_PATH = re.compile(r"^/(?P<gv>api/v1|apis/[^/]+/[^/]+)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>[^/]+)"
                   r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>scale|status))?$")
Key = tuple[str, str | None, str, str]  # (group/version, namespace, resource, name)
Hook = Callable[["FakeKube", Key, dict], None]


def key_of(path: str) -> tuple[Key | None, str | None]:
    """(object key, or None for a collection; subresource) of an API path."""
    match = _PATH.match(path)
    if not match:
        raise KeyError(path)
    gv, ns, res, name, sub = match.group("gv", "ns", "res", "name", "sub")
    return (gv, ns, res, name or ""), sub


class FakeKube:
    """Store + server. `put(path, obj)` seeds an object; `get(path)` reads it back (None if absent)."""

    def __init__(self, max_seconds: float = 60.0):
        self.objects: dict[Key, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.on_create: dict[str, list[Hook]] = {}  # resource plural -> hooks
        self.on_delete: dict[str, list[Hook]] = {}
        self.delay: dict[str, float] = {}  # HTTP method -> seconds the server waits before it acts (a slow API)
        self._lock = threading.RLock()
        self._versions = itertools.count(1000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._deadline = threading.Timer(max_seconds, self.stop)
        self._deadline.daemon = True
        self._stopped = False

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> FakeKube:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._deadline.cancel()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def write_kubeconfig(self, path: Path) -> Path:
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake", "user": {"token": "fake-token"}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        }), encoding="utf-8")
        return path

    # ------------------------------------------------------------ store
    def put(self, path: str, obj: dict) -> None:
        key, _ = key_of(path)
        with self._lock:
            self.objects[key] = json.dumps(obj, indent=2).encode()

    def put_raw(self, path: str, raw: bytes) -> None:
        key, _ = key_of(path)
        with self._lock:
            self.objects[key] = raw

    def get(self, path: str) -> dict | None:
        raw = self.raw(path)
        return None if raw is None else json.loads(raw)

    def raw(self, path: str) -> bytes | None:
        key, _ = key_of(path)
        with self._lock:
            return self.objects.get(key)

    def delete(self, key: Key) -> bool:
        with self._lock:
            return self.objects.pop(key, None) is not None

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def names(self, gv: str, ns: str | None, res: str) -> list[str]:
        with self._lock:
            return sorted(k[3] for k in self.objects if k[:3] == (gv, ns, res))

    def create(self, key: Key, obj: dict) -> dict:
        """What the API server does on create: server-set metadata, then the controllers' hooks."""
        meta = obj.setdefault("metadata", {})
        meta.setdefault("name", key[3])
        meta["uid"] = f"uid-{next(self._versions)}"
        meta["resourceVersion"] = str(next(self._versions))
        meta["creationTimestamp"] = "2026-12-01T00:00:00Z"
        if key[1]:
            meta["namespace"] = key[1]
        with self._lock:
            self.objects[key] = json.dumps(obj, indent=2).encode()
        for hook in self.on_create.get(key[2], []):
            hook(self, key, obj)
        return obj


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def _merge_patch(target: dict, patch: dict) -> dict:
    """RFC 7386 JSON merge patch."""
    out = copy.deepcopy(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge_patch(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _handler(kube: FakeKube):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            return

        def _send(self, code: int, body: bytes | dict) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _missing(self, key: Key) -> bool:
            if key in kube.objects:
                return False
            self._send(404, _status(404, "NotFound", f'{key[2]} "{key[3]}" not found'))
            return True

        def _route(self):
            path = urlsplit(self.path).path
            kube.requests.append((self.command, path))
            if self.command in kube.delay:
                time.sleep(kube.delay[self.command])
            try:
                return key_of(path)
            except KeyError:
                self._send(404, _status(404, "NotFound", f"no route {path}"))
                return None, None

        def do_GET(self) -> None:
            key, _sub = self._route()
            if key is None:
                return
            if key[3]:
                if not self._missing(key):
                    self._send(200, kube.objects[key])
                return
            with kube._lock:
                items = [json.loads(v) for k, v in sorted(kube.objects.items(), key=lambda kv: (kv[0][1] or '', kv[0][3]))
                         if k[0] == key[0] and k[2] == key[2] and (key[1] is None or k[1] == key[1])]
            self._send(200, {"kind": "List", "apiVersion": key[0].split("/", 1)[-1], "metadata": {},
                             "items": items})

        def do_POST(self) -> None:
            key, _ = self._route()
            if key is None:
                return
            obj = self._body()
            key = (key[0], key[1], key[2], obj.get("metadata", {}).get("name", ""))
            if key in kube.objects:
                self._send(409, _status(409, "AlreadyExists", f'{key[2]} "{key[3]}" already exists'))
                return
            if obj.get("metadata", {}).get("resourceVersion"):
                self._send(400, _status(400, "BadRequest", "resourceVersion should not be set on objects "
                                                            "to be created"))
                return
            self._send(201, kube.create(key, obj))

        def do_PUT(self) -> None:
            key, _ = self._route()
            if key is None:
                return
            if self._missing(key):
                return
            obj = self._body()
            obj.setdefault("metadata", {})["resourceVersion"] = str(next(kube._versions))
            kube.objects[key] = json.dumps(obj, indent=2).encode()
            self._send(200, obj)

        def do_PATCH(self) -> None:
            key, _sub = self._route()
            if key is None:
                return
            if self._missing(key):
                return
            obj = _merge_patch(json.loads(kube.objects[key]), self._body())
            kube.objects[key] = json.dumps(obj, indent=2).encode()
            self._send(200, obj)

        def do_DELETE(self) -> None:
            key, _ = self._route()
            if key is None:
                return
            self._body()
            if self._missing(key):
                return
            raw = kube.objects[key]
            kube.delete(key)
            for hook in kube.on_delete.get(key[2], []):
                hook(kube, key, json.loads(raw))
            self._send(200, raw)

    return Handler
