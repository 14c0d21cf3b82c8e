"""Reading a structured reply while it is still being written.

A streamed reply to a request with a schema arrives as the JSON text so far, e.g. ``{"executive_summary": "The
proj``. :func:`partial_field` returns what the named string field holds so far ("The proj"), so a page can show
prose as the model writes it before the object is complete.
"""

from __future__ import annotations

import json
import re

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def partial_field(json_so_far: str, field: str) -> str | None:
    """The text of the top-level string ``field`` written so far; ``None`` before its value has started."""
    match = re.search(rf'"{re.escape(field)}"\s*:\s*"', json_so_far)
    if match is None:
        return None
    out: list[str] = []
    text = json_so_far
    i = match.end()
    while i < len(text):
        char = text[i]
        if char == '"':
            break
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(text):
            break  # an escape cut in half: wait for the rest
        code = text[i + 1]
        if code == "u":
            escape = text[i : i + 6]
            if len(escape) < 6:
                break
            if 0xD800 <= _hex(escape) <= 0xDBFF:  # the first half of a pair: decode both halves together
                low = text[i + 6 : i + 12]
                if len(low) < 6 and "\\u".startswith(low[:2]) and all(c in "0123456789abcdefABCDEF" for c in low[2:]):
                    break  # the second half may still be on its way
                if low.startswith("\\u") and 0xDC00 <= _hex(low) <= 0xDFFF:
                    out.append(json.loads(f'"{escape}{low}"'))
                    i += 12
                    continue
                out.append("\ufffd")  # never a lone surrogate: the database could not store it
                i += 6
                continue
            value = _hex(escape)
            out.append("\ufffd" if value < 0 or 0xDC00 <= value <= 0xDFFF else chr(value))
            i += 6
            continue
        out.append(_ESCAPES.get(code, code))
        i += 2
    return "".join(out)


def _hex(escape: str) -> int:
    """The code of a ``\\uXXXX`` escape, or -1 when it is malformed."""
    try:
        return int(escape[2:6], 16)
    except ValueError:
        return -1
