"""The one version reader over the version strings ackstack meets (ackstack_core/versions.py), and every former
reader now answering through it."""

from __future__ import annotations

import pytest

from ackstack.engine.cloud import Cloud
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.versions import parse_version
from components.cilium_render import kube_version
from components.config import _parse_k8s_minor

# (text, numbers): Kubernetes as ACK names it (DescribeKubernetesVersionMetadata, the example stacks),
# Terway add-on tags (AliyunContainerService/terway), Cilium chart versions (cilium/cilium Chart.yaml).
REAL = [
    ("1.36.1-aliyun.1", (1, 36, 1)),
    ("1.35.2-aliyun.1", (1, 35, 2)),
    ("1.33.3-aliyun.1", (1, 33, 3)),
    ("v1.34.1", (1, 34, 1)),
    ("v1.17.5", (1, 17, 5)),
    ("v1.13.7", (1, 13, 7)),
    ("v1.10.0", (1, 10, 0)),
    ("1.11.0", (1, 11, 0)),
    ("1.20.0", (1, 20, 0)),
    ("1.19.6", (1, 19, 6)),
    ("1.18.12", (1, 18, 12)),
    ("1.17.9", (1, 17, 9)),
    ("1.19.0-pre.3", (1, 19, 0)),
    ("1.16.5+build.7", (1, 16, 5)),
    (" v1.12.1 ", (1, 12, 1)),
]
NOT_VERSIONS = ["", "v", "1", "1.x.3", "1.34.1.2", "latest", "1.34.1-", "1.34 .1", "v-1.2.3", "１.２.３"]


@pytest.mark.parametrize(("text", "numbers"), REAL)
def test_real_versions_read_as_their_numbers(text, numbers):
    parsed = parse_version(text)
    assert parsed == numbers and parsed.line == numbers[:2]


@pytest.mark.parametrize("text", [*NOT_VERSIONS, None, 1.34])
def test_what_is_not_a_version_reads_as_none(text):
    assert parse_version(text) is None


def test_a_kubernetes_minor_without_patch_is_read_only_when_asked():
    assert parse_version("1.33") is None
    assert parse_version("1.33", patch_required=False) == (1, 33, 0)
    assert _parse_k8s_minor("1.33") == (1, 33) and _parse_k8s_minor("1.35.2-aliyun.1") == (1, 35)
    assert _parse_k8s_minor("1.x") is None


def test_versions_order_by_their_numbers_not_their_text():
    assert parse_version("v1.13.7") > parse_version("v1.13.4") > (1, 11, 0)
    assert parse_version("1.18.12") > parse_version("1.18.9")  # as text, "1.18.12" < "1.18.9"
    assert parse_version("1.34.1-aliyun.1") == parse_version("1.34.1")


def test_every_former_reader_answers_through_it():
    assert W.parse_version is parse_version
    assert W.rules_for("v1.13.7").first == (1, 13, 7) and W.rules_for("v1.13.4").first < (1, 13, 7)
    assert [cilium_chart.release_line(v) for v in C.CILIUM_CHART_FACTS_VERSIONS] == [
        (1, 17), (1, 18), (1, 19), (1, 20)]
    assert kube_version("1.34.1-aliyun.1") == "1.34.1" and kube_version("v1.33.3") == "1.33.3"
    cloud = Cloud.__new__(Cloud)
    cloud.clusters = {"c-1": {"version": "1.35.2-aliyun.1"}}
    assert cloud.kubernetes_version() == "1.35.2"
