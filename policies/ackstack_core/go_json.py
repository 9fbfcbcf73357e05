"""JSON text exactly as Go's `json.Marshal` of a map writes it, which is what the provider stores on read.

terraform-provider-alicloud reads an add-on's config back with json.Marshal(map) (resource_alicloud_cs_
kubernetes_addon.go:117-123): compact, keys sorted, `<`, `>`, `&` escaped as \\u003c, \\u003e, \\u0026 (Go
encoding/json HTML-safe default), non-ASCII kept. Emitting the same text means no diff on the next preview.
"""

from __future__ import annotations

import json
from typing import Any

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escaped in _HTML_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def canonical_json_text(text: Any) -> Any:
    """`text` re-serialised as Go would store it; anything that is not a JSON object/array text is returned as is."""
    if not isinstance(text, str):
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return go_json(value) if isinstance(value, dict | list) else text
