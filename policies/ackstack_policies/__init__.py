"""ackstack CrossGuard policies. ALL_POLICIES is what policies/__main__.py packs.

The CLI runs the pack with the pack directory as cwd and on sys.path (runpy.run_path).
The repository root is appended (not prepended) to sys.path so future policies can reuse
`components.validation` without shadowing installed packages.
"""

import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
if (_REPO_ROOT / "components").is_dir() and str(_REPO_ROOT) not in sys.path:
    sys.path.append(str(_REPO_ROOT))

from . import byocni, cilium, cluster, hygiene, podnetworking, stack, terway  # noqa: E402

RESOURCE_POLICIES = [
    *cluster.POLICIES,
    *terway.POLICIES,
    *byocni.POLICIES,
    *podnetworking.POLICIES,
    *cilium.POLICIES,
    *hygiene.POLICIES,
]
STACK_POLICIES = [*stack.POLICIES]
ALL_POLICIES = [*RESOURCE_POLICIES, *STACK_POLICIES]
POLICIES_BY_NAME = {p.name: p for p in ALL_POLICIES}

__all__ = ["ALL_POLICIES", "POLICIES_BY_NAME", "RESOURCE_POLICIES", "STACK_POLICIES"]
