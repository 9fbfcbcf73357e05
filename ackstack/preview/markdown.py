"""Escaping of user-provided strings for Markdown and Mermaid, so a crafted name (zone id, vSwitch,
PodNetworking, label) renders as text and never as a heading, table, link, HTML or diagram syntax."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~>])")


class Raw(str):
    """Text already built from escaped parts: the report template inserts it unchanged."""


def md(value: object) -> Raw:
    """Inline Markdown text: no line breaks, HTML neutralised, every Markdown punctuation escaped."""
    if isinstance(value, Raw):
        return value
    text = " ".join(str(value).splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return Raw(_MD_SPECIAL.sub(r"\\\1", text))


def code(value: object) -> Raw:
    """An inline code span of user text (backslash escapes do not work inside one: backticks and line
    breaks are replaced; a table cell's pipe is written as the entity GitHub accepts in code)."""
    text = " ".join(str(value).splitlines()).replace("`", "'").replace("|", "&#124;")
    return Raw(f"`{text}`") if text.strip() else Raw("")


def mermaid_label(value: object) -> str:
    """Text inside a quoted Mermaid label: entity codes for what would end the label or the fence."""
    text = " ".join(str(value).splitlines())
    for char, entity in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(char, entity)
    return text


def mermaid_id(prefix: str, key: object) -> str:
    """A node id from user text: only [A-Za-z0-9_], unique per key (the hash keeps `a-b` and `a_b` apart)."""
    text = str(key)
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', text)[:40]}_{_short_hash(text)}"


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
