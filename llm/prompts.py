"""Prompt helpers shared by the callers that write their own requests.

User text is data, not instructions: it goes to the model inside tags (``<answer>``, ``<charter_data>``…), with any
copy of the tag the user typed neutralised, and each caller's system prompt tells the model to flag (not obey)
instructions found there.
"""

from __future__ import annotations


def delimit(text: str, tag: str) -> str:
    """Wrap user text in ``<tag>…</tag>``, defusing any copy of the tag inside it."""
    safe = text.replace(f"<{tag}>", f"‹{tag}›").replace(f"</{tag}>", f"‹/{tag}›")
    return f"<{tag}>\n{safe}\n</{tag}>"
