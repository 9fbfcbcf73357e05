"""`ackstack charts` fetches the pinned Cilium chart from a Helm repository (issue #24 §5).

The repository is served on 127.0.0.1 from the official packages in ../shared/reference, with an index.yaml the
real helm writes (`helm repo index`), so the fetch path is the one a user's machine takes against helm.cilium.io:
index.yaml, the entry's URL (relative, as helm.cilium.io lists them), the package, the digest check.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from ackstack.engine.testing import ROOT, require_reference
from ackstack_core import constants as C
from components import chart_cache, cilium_render

VERSION = "1.20.0"


def _helm() -> str:
    helm = cilium_render.helm_binary()
    require_reference(helm is not None, "helm binary (.venv/bin/python tools/install_helm.py)")
    return helm


def _reference(version: str = VERSION) -> Path:
    package = chart_cache.REFERENCE_CHARTS / chart_cache.package_name(version)
    require_reference(package.is_file(), f"official chart package {package}")
    return package


@pytest.fixture
def repository(tmp_path):
    """A classic Helm repository on 127.0.0.1: (base URL, its directory). helm writes the index."""
    root = tmp_path / "repo"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _index(root: Path) -> None:
    """`helm repo index` without --url: relative `urls`, as helm.cilium.io lists its packages."""
    done = subprocess.run([_helm(), "repo", "index", str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _charts(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, chart_cache.CACHE_ENV: str(cache)}
    return subprocess.run([sys.executable, "-m", "ackstack", "charts", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_the_pinned_chart_is_fetched_from_a_helm_repository_into_the_cache(repository, tmp_path, monkeypatch):
    url, root = repository
    shutil.copy(_reference(), root)
    _index(root)
    listed = yaml.safe_load((root / "index.yaml").read_text())["entries"]["cilium"][0]
    assert listed["digest"] == C.CILIUM_CHART_DIGESTS[VERSION]  # helm's own digest of the package is the pin
    cache = tmp_path / "cache"
    done = _charts(VERSION, "--repo", url, cache=cache)
    assert done.returncode == 0, done.stderr
    fetched = cache / f"cilium-{VERSION}.tgz"
    assert fetched.read_bytes() == _reference().read_bytes()
    assert f"fetched from {url}, sha256 verified" in done.stdout
    assert [p.name for p in cache.iterdir()] == [fetched.name]  # no partial file left beside it
    # The preview's render check now uses the cached package and says so.
    monkeypatch.setenv(chart_cache.CACHE_ENV, str(cache))
    _helm()
    check = cilium_render.render_check(VERSION, None)
    assert check.package == fetched and "(chart cache, sha256 verified)" in check.detail


def test_a_package_with_other_bytes_is_refused_and_nothing_is_cached(repository, tmp_path):
    url, root = repository
    tampered = bytearray(_reference().read_bytes())
    tampered[-100] ^= 0xFF
    (root / f"cilium-{VERSION}.tgz").write_bytes(bytes(tampered))
    index = {"apiVersion": "v1", "entries": {"cilium": [
        {"name": "cilium", "version": VERSION, "urls": [f"cilium-{VERSION}.tgz"]}]}}  # no digest listed
    (root / "index.yaml").write_text(yaml.safe_dump(index))
    cache = tmp_path / "cache"
    done = _charts(VERSION, "--repo", url, cache=cache)
    assert done.returncode == 2
    assert f"not the pinned {C.CILIUM_CHART_DIGESTS[VERSION]}: refused" in done.stderr
    assert "Traceback" not in done.stderr
    assert not cache.exists() or not list(cache.iterdir())


def test_an_index_that_lists_another_digest_is_refused_before_the_download(repository, tmp_path):
    url, root = repository
    other = _reference("1.19.6")
    shutil.copy(other, root / f"cilium-{VERSION}.tgz")  # another package under the pinned name
    _index(root)  # helm lists its (1.19.6) digest under the file's chart version, 1.19.6
    text = (root / "index.yaml").read_text().replace("version: 1.19.6", f"version: {VERSION}")
    (root / "index.yaml").write_text(text)
    done = _charts(VERSION, "--repo", url, cache=tmp_path / "cache")
    assert done.returncode == 2
    assert "another package under the same version" in done.stderr


def test_a_version_the_repository_does_not_list_is_one_line(repository, tmp_path):
    url, root = repository
    shutil.copy(_reference("1.19.6"), root)
    _index(root)
    done = _charts(VERSION, "--repo", url, cache=tmp_path / "cache")
    assert done.returncode == 2
    assert done.stderr.strip() == f"ackstack charts: cilium {VERSION}: {url} does not list cilium {VERSION} in its index.yaml"


def test_without_a_network_the_reference_copy_stands_in_and_the_output_says_so(tmp_path):
    _reference()
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing answers there
    done = _charts(VERSION, "--repo", f"http://127.0.0.1:{port}/", "--timeout", "5", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    assert "reference stand-in" in done.stdout and "not fetched: cannot fetch" in done.stderr


def test_a_cached_package_is_verified_on_every_use(tmp_path, monkeypatch):
    _reference()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"cilium-{VERSION}.tgz").write_bytes(b"not the chart")
    monkeypatch.setenv(chart_cache.CACHE_ENV, str(cache))
    source = cilium_render.chart_source(VERSION)
    assert source is not None and source.path == _reference() and "reference stand-in" in source.origin


def test_a_version_without_a_pinned_digest_is_refused(tmp_path):
    done = _charts("1.16.0", cache=tmp_path / "cache")
    assert done.returncode == 2 and "no pinned digest for Cilium chart 1.16.0" in done.stderr


def test_every_pinned_digest_is_the_reference_packages_sha256():
    """The pins (from the reference README's table, which quotes helm.cilium.io's index) against the bytes."""
    for version, digest in C.CILIUM_CHART_DIGESTS.items():
        assert chart_cache.sha256_of(_reference(version)) == digest, version
