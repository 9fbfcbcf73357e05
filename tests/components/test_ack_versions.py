"""VER004: the Kubernetes minor is one ACK still supports (issue #23 section 5). Before, a new cluster on 1.34
(support ended 2026-09-30) or 1.33 previewed green and the default version was 1.34."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import assert_fires, changed, findings_for, stack_config
from ackstack_core import constants as C
from ackstack_core.cluster_checks import ack_support_ended
from components.config import _parse_k8s_minor


def _only(findings):
    return [f for f in findings if f.rule == "VER004"]


@pytest.mark.parametrize(("stack", "version"), [("dev", "1.34.1-aliyun.1"), ("staging", "1.33.3-aliyun.1"),
                                                ("prod", "1.30.7-aliyun.1")])
def test_a_new_cluster_on_an_ended_minor_is_an_error(stack, version):
    cfg = changed(stack_config(stack), ("ackstack:cluster.kubernetesVersion", version))
    assert_fires(findings_for(cfg), "VER004", "error", "ackstack:cluster.kubernetesVersion",
                 [version, "past ACK's end of support", "1.35, 1.36", C.ACK_K8S_VERSION_PAGE])


def test_an_adopted_cluster_on_an_ended_minor_is_a_warning():
    cfg = changed(stack_config("existing"), ("ackstack:cluster.kubernetesVersion", "1.30.7-aliyun.1"))
    (finding,) = _only(findings_for(cfg))
    assert finding.level == "warning" and "1.30.7-aliyun.1" in finding.message and "2026-06-30" in finding.message


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "existing"])
def test_example_stacks_use_a_minor_ack_creates(stack):
    assert _only(findings_for(stack_config(stack))) == []


def test_the_default_is_the_newest_creatable_version_and_cilium_is_tested_on_it():
    minor = _parse_k8s_minor(C.DEFAULT_K8S_VERSION)
    assert not ack_support_ended(minor)[0] and C.KNOWN_ACK_K8S_VERSIONS[0] == C.DEFAULT_K8S_VERSION
    oldest, newest = C.CILIUM_K8S_TESTED[(1, 20)]
    assert oldest <= minor <= newest


def test_boundaries():
    assert ack_support_ended((1, 34))[0]  # 2026-09-30, before the page's 2026-10-06
    assert not ack_support_ended((1, 35))[0]
    assert not ack_support_ended((1, 37))[0] and "unverified" in ack_support_ended((1, 37))[1]
    assert ack_support_ended((1, 18))[0] and "unverified" in ack_support_ended((1, 18))[1]
