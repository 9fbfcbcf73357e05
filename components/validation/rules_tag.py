"""TAG: the stack's tags, as ECS accepts them."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule

OWN_TAG_COUNT = len((C.OWN_TAG_ENVIRONMENT, C.OWN_TAG_ROLE))  # the most ackstack adds to one resource


TAG_SOURCE = ("ECS API TagResources (Tag.N: N 1..20; key up to 128 characters, not `acs:`/`aliyun`-prefixed, "
              "no http(s)://; value up to 128 characters)")


@rule("TAG001", "error", "Tags fit ECS's tag rules",
      "VPC, vSwitch, security group, cluster and node pool creation fail on a tag ECS rejects.", TAG_SOURCE)
def tag_rules(plan: NetworkPlan) -> Iterator[Finding]:
    tags = plan.config.environment.tags
    for key, value in tags.items():
        path = config_path("environment", "tags", key)
        if not key:
            yield Finding("TAG001", "error", path, "tag key is empty")
        if len(key) > C.ECS_TAG_KEY_MAX:
            yield Finding("TAG001", "error", path, f"tag key is {len(key)} characters; at most {C.ECS_TAG_KEY_MAX}")
        if key.startswith(C.ECS_TAG_KEY_RESERVED_PREFIXES):
            yield Finding("TAG001", "error", path, f"tag key `{key[:40]}` starts with a reserved prefix "
                          f"({', '.join(C.ECS_TAG_KEY_RESERVED_PREFIXES)})")
        if len(value) > C.ECS_TAG_VALUE_MAX:
            yield Finding("TAG001", "error", path,
                          f"tag value is {len(value)} characters; at most {C.ECS_TAG_VALUE_MAX}")
        for text, what in ((key, "key"), (value, "value")):
            if any(bad in text for bad in C.ECS_TAG_FORBIDDEN_TEXT):
                yield Finding("TAG001", "error", path, f"tag {what} contains "
                              f"{' or '.join(C.ECS_TAG_FORBIDDEN_TEXT)}, which ECS refuses")


@rule("TAG002", "error", "At most 20 tags per resource, ackstack's own included",
      "ackstack adds its own tags (`ackstack:environment`, and `ackstack:role` on vSwitches) to the stack's tags.",
      TAG_SOURCE)
def tag_count(plan: NetworkPlan) -> Iterator[Finding]:
    tags = plan.config.environment.tags
    allowed = C.ECS_MAX_TAGS - OWN_TAG_COUNT
    if len(tags) > allowed:
        yield Finding("TAG002", "error", config_path("environment", "tags"),
                      f"{len(tags)} tags; at most {allowed} (ECS allows {C.ECS_MAX_TAGS} per resource and ackstack "
                      f"adds {OWN_TAG_COUNT})")


RULES = (
    tag_rules,
    tag_count,
)
