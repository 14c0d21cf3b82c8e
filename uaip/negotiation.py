"""The API's content negotiation (``DEFAULT_CONTENT_NEGOTIATION_CLASS``).

A module of its own: DRF imports it while it defines ``APIView``, so it must not import ``rest_framework.views``
(as ``uaip.api`` does) or the import goes in a circle.
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but an unknown ``?format=`` is 406 naming the formats there are, not DRF's 404 (the
    resource exists; it has no such representation)."""

    def filter_renderers(self, renderers: Iterable[BaseRenderer], format: str) -> list[BaseRenderer]:
        renderers = list(renderers)
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            offered = ", ".join(sorted({str(renderer.format) for renderer in renderers}))
            raise exceptions.NotAcceptable(f"There is no format {format[:20]!r} here; use one of: {offered}.")
        return found
