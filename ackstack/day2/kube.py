"""Kubernetes API access for `verify` and `migrate-controlplane`, through the official client.

Objects travel as the API's own JSON (dicts, or raw bytes for backups), not as the client's typed
models: the checks compare with manifests ackstack builds as dicts, and a backup must be exactly
what the API server returned. The kubeconfig (a secret) is only handed to the client, never printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REQUEST_TIMEOUT_SECONDS = 15


class ClusterUnreachable(Exception):
    """The kubeconfig cannot be read, or the API server cannot be reached or refuses us (exit 2)."""


class ApiError(Exception):
    """The API server answered a request with an error other than 404, 401 or 403."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def core_path(resource: str, name: str = "", namespace: str | None = None) -> str:
    """`/api/v1/...` path of a core object or collection."""
    return _path("api/v1", resource, name, namespace)


def group_path(api_version: str, resource: str, name: str = "", namespace: str | None = None) -> str:
    """`/apis/<group>/<version>/...` path of an object or collection of an API group."""
    return _path(f"apis/{api_version}", resource, name, namespace)


def _path(prefix: str, resource: str, name: str, namespace: str | None) -> str:
    ns = f"/namespaces/{namespace}" if namespace else ""
    return f"/{prefix}{ns}/{resource}" + (f"/{name}" if name else "")


class Kube:
    """A thin JSON client: get/list/create/replace/patch/delete by API path; 404 reads as None/False."""

    def __init__(self, kubeconfig: str | Path):
        from kubernetes import client, config

        from ackstack.inputs.input_file import InputFileError, read_input_file
        from ackstack_core.constants import INPUT_MAX_BYTES

        path = Path(kubeconfig)
        try:  # a directory or a FIFO is named as such (and a FIFO never blocks); the loader then reads the file
            read_input_file(path, "kubeconfig", INPUT_MAX_BYTES)
        except InputFileError as exc:
            raise ClusterUnreachable(str(exc)) from None
        configuration = client.Configuration()
        try:
            config.load_kube_config(config_file=str(path), client_configuration=configuration,
                                    persist_config=False)
        except Exception as exc:  # the loader raises ConfigException, YAML and OS errors alike
            raise ClusterUnreachable(f"cannot read kubeconfig {path}: {type(exc).__name__}") from None
        configuration.retries = 1
        self._api = client.ApiClient(configuration)

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> Kube:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ verbs
    def get_raw(self, path: str) -> bytes | None:
        status, data = self._call("GET", path)
        return None if status == 404 else data

    def get(self, path: str) -> dict | None:
        raw = self.get_raw(path)
        return None if raw is None else json.loads(raw)

    def list(self, path: str) -> list[dict]:
        found = self.get(path)
        return list((found or {}).get("items") or [])

    def create(self, path: str, body: dict) -> dict:
        return json.loads(self._call("POST", path, body)[1])

    def replace(self, path: str, body: dict) -> dict:
        return json.loads(self._call("PUT", path, body)[1])

    def patch(self, path: str, body: dict) -> dict:
        """JSON merge patch (RFC 7386), understood by every resource including custom ones."""
        return json.loads(self._call("PATCH", path, body, content_type="application/merge-patch+json")[1])

    def delete(self, path: str, propagation: str | None = None) -> bool:
        body = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation:
            body["propagationPolicy"] = propagation
        status, _ = self._call("DELETE", path, body)
        return status != 404

    # ------------------------------------------------------------ transport
    def _call(self, method: str, path: str, body: Any = None,
              content_type: str = "application/json") -> tuple[int, bytes]:
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            params = self._api.param_serialize(method=method, resource_path=path, header_params=headers,
                                               body=body, auth_settings=["BearerToken"])
            response = self._api.call_api(*params, _request_timeout=REQUEST_TIMEOUT_SECONDS)
            response.read()
        except ApiException as exc:  # raised by the REST layer for some transport errors
            raise ClusterUnreachable(f"{method} {path}: {exc.status} {exc.reason}") from None
        except Exception as exc:  # urllib3 connection/timeout errors: the cluster cannot be reached
            raise ClusterUnreachable(f"cannot reach the API server ({type(exc).__name__})") from None
        status = response.status
        if status == 404:
            return status, b""
        if status in (401, 403):
            raise ClusterUnreachable(f"{method} {path}: HTTP {status} {_status_message(response.data)}")
        if status >= 400:
            raise ApiError(status, f"{method} {path}: HTTP {status} {_status_message(response.data)}")
        return status, response.data


def _status_message(data: bytes) -> str:
    try:
        return str(json.loads(data).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return ""
