"""Day 2 against a live cluster: verify it against the stack's plan (with a canary pod per PodNetworking),
and move terway-controlplane out of the way of a dedicated-to-Pro migration."""
