"""The offline preview and what reviewers read: the validated plan, the policy pack run as the CLI runs it,
the comparison with a deployed stack, the manifests, the report."""
