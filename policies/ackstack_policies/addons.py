"""Helpers over ManagedKubernetes `addons` ([{name, config (JSON string), disabled, version}])."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ackstack_core import constants as C

from ._common import Unknown, get, is_true, is_unknown


def addon_list(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The add-on entries; raises Unknown if the list, an entry or an entry's name is unknown."""
    addons = get(props, "addons", [])
    if not isinstance(addons, list):
        return []
    result = []
    for addon in addons:
        if is_unknown(addon) or (isinstance(addon, Mapping) and is_unknown(addon.get("name"))):
            raise Unknown("addons")
        if isinstance(addon, Mapping):
            result.append(dict(addon))
    return result


def find_addon(addons: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((a for a in addons if a.get("name") == name), None)


def is_terway(addon: Mapping[str, Any]) -> bool:
    """The same Terway add-on names rule BYO002 refuses on BYOCNI."""
    return addon.get("name") in C.TERWAY_ADDON_NAMES


def is_disabled(addon: Mapping[str, Any]) -> bool:
    value = addon.get("disabled")
    if is_unknown(value):
        raise Unknown("addons.disabled")
    return is_true(value)
