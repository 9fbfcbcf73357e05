"""ackstack: Pulumi components and tools for Alibaba Cloud ACK managed Pro clusters whose container network
(Terway Trunk ENI with PodNetworkings, or BYOCNI with Cilium) is right the first time.

The components live in `components` (use them from any Pulumi program, or from other languages through
the component package, see README); this package holds the tools around them: the offline engine
(`ackstack.engine`), the preview and its report (`ackstack.preview`), the day-2 commands (`ackstack.day2`)
and the readers of stack files and inventories (`ackstack.inputs`).
"""

from ackstack_core import __version__

__all__ = ["__version__"]
