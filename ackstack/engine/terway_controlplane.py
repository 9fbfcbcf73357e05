"""terway-controlplane in the offline engine: admission and status of each PodNetworking registration.

The real webhook is fail-closed on CREATE (ackstack_core.terway_webhook), so a denied PodNetworking
fails `pulumi up` at that resource; the engine raises `AdmissionDenied` at the same point. The
controller's status (Ready / Fail) becomes the object's `status`, which the `pulumi.com/waitFor`
annotation makes `pulumi up` wait for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W

PODNETWORKING_TYPE = f"kubernetes:{C.PODNETWORKING_API_VERSION}:{C.PODNETWORKING_KIND}"
# How the API server words a webhook denial, so the message reads like `pulumi up`'s (webhook names: the chart's
# webhook.yaml:8 and :42, `<chart>.mutating.k8s.io` / `<chart>.validate.k8s.io`).
DENIED_PREFIX = "admission webhook terway-controlplane.validate.k8s.io denied the request"
MUTATING_DENIED_PREFIX = "admission webhook terway-controlplane.mutating.k8s.io denied the request"
TIMEOUT_PREFIX = "PodNetworking never became Ready"


class AdmissionDenied(RuntimeError):
    """terway-controlplane's validating webhook refused the object, with Terway's own reason."""


class SecretNotFound(RuntimeError):
    """A `Secret.get` the program makes before changing anything (addon.network.token) found nothing."""


class NotReady(RuntimeError):
    """The object stays `Fail`; with `pulumi.com/waitFor` the real `pulumi up` times out on it."""


def controlplane_version(addons: Any) -> str | None:
    """terway-controlplane's version from a ManagedKubernetes `addons` list or a {name: version} map."""
    if isinstance(addons, Mapping):
        value = addons.get(C.ADDON_TERWAY_CONTROLPLANE)
        return value if isinstance(value, str) else None
    for addon in addons or []:
        if isinstance(addon, Mapping) and addon.get("name") == C.ADDON_TERWAY_CONTROLPLANE:
            version = addon.get("version")
            return version if isinstance(version, str) and version else None
    return None


def _unknown(value: Any) -> bool:
    """The engine's unknown sentinel, or the SDK's Unknown object for it."""
    return value == rpc.UNKNOWN or type(value).__name__ == "Unknown"


def admit(name: str, inputs: Mapping[str, Any], version: str | None,
          vswitch_zones: Mapping[str, str], eni_conf: str | None = None) -> dict:
    """The PodNetworking's `status` after admission (the mutating webhook filling empty lists from `eni_conf`,
    the eni-config text the run wrote; then validation) and reconciliation, or AdmissionDenied / NotReady.
    `eni_conf` None: the content is unknown to the engine (a new cluster's eni-config is ACK's), so only the
    validating webhook is applied to the spec as sent (ackstack always sends both lists)."""
    spec = inputs.get("spec") or {}
    if eni_conf is None:
        reason = W.admission_denial(spec, version)
        denial = None if reason is None else W.Denial("validating", reason)
    else:
        denial = W.admission(spec, version, eni_conf)
    line = W.rules_for(version)
    if denial is not None:
        shown = version or f"unpinned, modelled as {line.tag}"
        prefix = DENIED_PREFIX if denial.webhook == "validating" else MUTATING_DENIED_PREFIX
        raise AdmissionDenied(f"{prefix}: PodNetworking {name}: {denial.reason} (terway-controlplane {shown}; "
                              f"{line.source})")
    if any(_unknown(v) for v in spec.get("vSwitchOptions") or []):
        # A preview of vSwitches created in the same update: their ids are not known yet, and the
        # controller looks them up only once the object exists; there is nothing to predict (was PNW019).
        return {"status": "", "vSwitches": [], "message": "vSwitch ids not known before they are created"}
    if eni_conf is not None:
        spec, _ = W.podnetworking_defaults(spec, eni_conf, version)
    status, vswitches, message = W.readiness(spec, vswitch_zones)
    waits = ((inputs.get("metadata") or {}).get("annotations") or {}).get(C.PULUMI_WAIT_FOR_ANNOTATION)
    if status != C.PODNETWORKING_STATUS_READY and waits:
        raise NotReady(f"{TIMEOUT_PREFIX}: PodNetworking {name}: status {status}: {message} "
                       f"(pkg/controller/pod-networking/networking.go:109-132)")
    return {"status": status, "vSwitches": vswitches, "message": message}
