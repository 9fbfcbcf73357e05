"""The pinned Cilium chart packages, fetched from the chart's Helm repository into a local cache.

Why: rendering the exact package (CIL020, `preview --out`) needs it on disk, and a user's machine has no
`../shared/reference/`. `ackstack charts` reads the repository's `index.yaml`, downloads the pinned version and
keeps it only if its sha256 is the one pinned in `C.CILIUM_CHART_DIGESTS` (a repository, mirror or proxy serving
other bytes is refused). Without a network, the reference copy beside the checkout stands in, verified the same
way. Every user of a package says which of the two it is (`ChartPackage.origin`).
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from ackstack_core import constants as C

# The official chart packages beside the repository checkout (../shared/reference/cilium: this workplace's copy
# of what helm.cilium.io serves; see its README). Only a stand-in for the fetch, used where there is no network.
REFERENCE_CHARTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cilium"
CACHE_ENV = "ACKSTACK_CHART_CACHE"
FETCH_TIMEOUT_SECONDS = 20.0
# index.yaml of helm.cilium.io is ~3 MB today (every release since 1.2); packages ~0.3 MB.
INDEX_MAX_BYTES = 64 * 1024 * 1024
PACKAGE_MAX_BYTES = 16 * 1024 * 1024


class ChartFetchError(Exception):
    """The package could not be fetched or did not verify (one line, exit 2 from `ackstack charts`)."""


class RepositoryUnreachable(ChartFetchError):
    """No answer from the repository (no network): the reference copy may stand in. Bytes that do not verify
    are never this: they are refused."""


@dataclass(frozen=True)
class ChartPackage:
    path: Path
    origin: str
    """Where the bytes came from, as the output says it (no machine path: it goes into `--out` files):
    `fetched from <repo>`, `chart cache`, `reference stand-in`, `cni.cilium.chartPath`."""


def cache_dir() -> Path:
    """`$ACKSTACK_CHART_CACHE`, else `$XDG_CACHE_HOME/ackstack/charts`, else `~/.cache/ackstack/charts`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ackstack" / "charts"


def package_name(version: str) -> str:
    return f"{C.CILIUM_CHART_NAME}-{version}.tgz"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pinned_digest(version: str) -> str:
    digest = C.CILIUM_CHART_DIGESTS.get(version)
    if digest is None:
        raise ChartFetchError(f"no pinned digest for Cilium chart {version} (pinned: "
                              f"{', '.join(C.CILIUM_CHART_DIGESTS)}); use cni.cilium.chartPath for another version")
    return digest


def _verified(path: Path, version: str) -> bool:
    return path.is_file() and sha256_of(path) == C.CILIUM_CHART_DIGESTS.get(version)


def _in_cache(version: str) -> ChartPackage | None:
    cached = cache_dir() / package_name(version)
    return ChartPackage(cached, "chart cache, sha256 verified") if _verified(cached, version) else None


def _stand_in(version: str) -> ChartPackage | None:
    reference = REFERENCE_CHARTS / package_name(version)
    return ChartPackage(reference, "reference stand-in, sha256 verified") if _verified(reference, version) else None


def cached_package(version: str) -> ChartPackage | None:
    """The cached package (verified again: a cache is a plain directory anyone can write), else the
    reference stand-in, else None."""
    return _in_cache(version) or _stand_in(version)


def _get(url: str, limit: int, timeout: float) -> bytes:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ChartFetchError(f"{url}: only http(s) Helm repositories are fetched (an oci:// registry: helm pull)")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            data = response.read(limit + 1)
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise RepositoryUnreachable(f"cannot fetch {url}: {reason}") from None
    if len(data) > limit:
        raise ChartFetchError(f"{url} is larger than {limit} bytes; refused")
    return data


def package_url(index_text: bytes, version: str, repo: str) -> tuple[str, str | None]:
    """(download URL, the index's digest) of `cilium <version>` in a Helm repository index; relative URLs are
    relative to the repository (helm's ResolveReferenceURL)."""
    try:
        index = yaml.safe_load(index_text)
    except yaml.YAMLError as exc:
        raise ChartFetchError(f"{repo}index.yaml is not YAML: {str(exc).splitlines()[0]}") from None
    entries = (index or {}).get("entries") if isinstance(index, dict) else None
    charts = (entries or {}).get(C.CILIUM_CHART_NAME) if isinstance(entries, dict) else None
    for chart in charts or []:
        if isinstance(chart, dict) and str(chart.get("version")) == version and chart.get("urls"):
            base = repo if repo.endswith("/") else repo + "/"
            return urllib.parse.urljoin(base, str(chart["urls"][0])), chart.get("digest")
    raise ChartFetchError(f"{repo} does not list {C.CILIUM_CHART_NAME} {version} in its index.yaml")


def fetch(version: str, repo: str = C.CILIUM_CHART_REPO, timeout: float = FETCH_TIMEOUT_SECONDS) -> ChartPackage:
    """Download `cilium-<version>.tgz` from the Helm repository `repo` into the cache, written whole (temp name,
    then rename) and only when its sha256 is the pinned one."""
    digest = pinned_digest(version)
    base = repo if repo.endswith("/") else repo + "/"
    url, listed = package_url(_get(base + "index.yaml", INDEX_MAX_BYTES, timeout), version, base)
    if listed and listed != digest:
        raise ChartFetchError(f"{base}index.yaml lists {package_name(version)} with digest {listed}, not the pinned "
                              f"{digest}: refused (another package under the same version)")
    data = _get(url, PACKAGE_MAX_BYTES, timeout)
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        raise ChartFetchError(f"{url} has sha256 {got}, not the pinned {digest}: refused")
    return ChartPackage(_store(version, data), f"fetched from {base}, sha256 verified")


def _store(version: str, data: bytes) -> Path:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / package_name(version)
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def ensure(version: str, repo: str = C.CILIUM_CHART_REPO,
           timeout: float = FETCH_TIMEOUT_SECONDS) -> tuple[ChartPackage, str | None]:
    """The verified package in the cache (fetched if missing), else the reference stand-in when the repository
    cannot be reached; (package, why the fetch did not happen or failed, or None)."""
    if (cached := _in_cache(version)) is not None:
        return cached, None
    try:
        return fetch(version, repo, timeout), None
    except RepositoryUnreachable as exc:
        if (stand_in := _stand_in(version)) is not None:
            return stand_in, str(exc)
        raise
