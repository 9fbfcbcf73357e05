"""ackstack's cloud models served as Pulumi provider plugins, so the real Pulumi CLI can be the judge.

`pulumi-resource-alicloud` (reports 4.0.0) and `pulumi-resource-kubernetes` (reports 4.34.2), put into the
venv's `bin/` by `tools/install_pulumi.py`, start `python -m ackstack.engine.plugins <name> <engine address>`;
the CLI finds them on PATH (automatic plugin acquisition off) and speaks `pulumirpc.ResourceProvider`
to them like to the real providers. They answer from the same models the offline engine uses
(`ackstack.engine.cloud`, `ackstack.engine.bridge`, `ackstack.engine.provider_check`, `ackstack.engine.terway_controlplane`, the real
helm), and keep the cloud in a directory (`ACKSTACK_CLOUD_DIR`) between CLI commands: see `store`.
"""
