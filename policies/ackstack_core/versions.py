"""The one reader of the version strings ackstack meets: Kubernetes as ACK names it (`1.34.1-aliyun.1`,
DescribeKubernetesVersionMetadata), Terway add-on versions (`v1.13.2`, ACK's add-on list and Terway's tags), Cilium
chart versions (`1.19.6`, the chart's Chart.yaml). All three are `[v]MAJOR.MINOR.PATCH` with an optional
`-prerelease` (`-aliyun.1`, `-pre.1`) and `+build` part, as SemVer 2.0.0 writes them (https://semver.org, items
2, 9 and 10); ordering and release lines read only the three numbers, so `1.34.1-aliyun.1` is Kubernetes 1.34.1."""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$", re.ASCII)


class Version(NamedTuple):
    """Compares as the tuple of its numbers, so `parse_version(v) >= (1, 11, 0)` reads as written."""

    major: int
    minor: int
    patch: int

    @property
    def line(self) -> tuple[int, int]:
        """The release line (Kubernetes minor, Cilium `1.19`, Terway `v1.13`)."""
        return self.major, self.minor

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: object, *, patch_required: bool = True) -> Version | None:
    """`v1.13.2`, `1.19.6`, `1.34.1-aliyun.1` -> Version; None when absent or not a version. Without
    `patch_required`, `1.33` reads as 1.33.0 (a Kubernetes minor, as the stack file may name one)."""
    if not isinstance(text, str):
        return None
    match = _VERSION.match(text.strip())
    if match is None or (patch_required and match[3] is None):
        return None
    return Version(int(match[1]), int(match[2]), int(match[3] or 0))
