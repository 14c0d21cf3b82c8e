"""Typing help for views that read ``request.htmx`` (django-htmx middleware)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHtmxRequest(HtmxHttpRequest):
    """A request that passed ``login_required``: ``user`` is an account, never the anonymous user."""

    user: User  # narrower than HttpRequest's (User | AnonymousUser), as login_required guarantees
