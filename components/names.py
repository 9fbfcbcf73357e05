"""Logical resource names built from two config names, in one place so URN0xx can check them for collisions.

A URN is type chain + name, not parent name: two rules under different security groups collide when
`<group>-<rule>` reads the same (`db` + `clients-x` and `db-clients` + `x`).
"""


def security_group_rule_name(prefix: str, group: str, rule: str) -> str:
    return f"{prefix}-sg-{group}-{rule}"


def addon_resource_name(cluster: str, addon: str) -> str:
    return f"{cluster}-addon-{addon}"
