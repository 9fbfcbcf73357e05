"""The offline engine and its models of the real systems: the program run under `pulumi.runtime.set_mocks`,
the cloud (ids, outputs, data sources), pulumi-terraform-bridge's and pulumi-kubernetes' Check and Diff,
terway-controlplane's admission, the same models served to the real CLI as provider plugins, and the
rehearsal that drives the real CLI."""
