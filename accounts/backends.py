"""Authentication backends, in the order ``AUTHENTICATION_BACKENDS`` lists them.

Every login path (the site's login page, the API's ``auth/login``, the admin's login and the browsable API, which
sends people to the site's login) ends in ``django.contrib.auth.authenticate``; the defences live here so none of
them can be skipped:

1. :class:`LoginCeilingBackend` refuses the attempt when the client IP has used up its failed logins
   (``RATE_LIMITS["auth_ip"]``, shared with registrations), which bounds password spraying from one address over
   many accounts.
2. ``axes.backends.AxesStandaloneBackend`` refuses an (account, client IP) pair after ``AXES_FAILURE_LIMIT``
   failures for ``AXES_COOLOFF_TIME``; the account stays open from every other address, so nobody can lock a user
   out by failing on purpose.
3. :class:`EmailBackend` checks the password.

A refusal sets a flag on the request; :class:`uaip.middleware.LoginRefusalMiddleware` (and axes' own middleware,
through ``AXES_LOCKOUT_CALLABLE``) turn the response into a 429 with ``Retry-After``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from uaip.ratelimits import RateLimitExceeded, by_ip, client_ip, usage


class LoginCeilingBackend:
    """Refuses a login attempt once the client IP has used up its failures (``RATE_LIMITS["auth_ip"]``), before any
    password is checked. Failures are counted by :func:`count_failed_login`; successful logins never count, so an
    office behind one address is not refused for logging in often.

    Deliberately not a ``BaseBackend``: it has no ``get_user``, so it is never the backend a session records.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None:
            return None
        counted = usage(request, limit_name="auth_ip", key=by_ip, increment=False)
        if counted is not None and counted["count"] >= counted["limit"]:
            refusal = RateLimitExceeded(retry_after=max(1, int(counted["time_left"])), limit_name="auth_ip")
            request.login_refused = refusal  # type: ignore[attr-defined]
            raise PermissionDenied(str(refusal))
        return None


def count_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed`` receiver: one more failure for the client IP (a refused attempt is not counted again)."""
    if request is not None and getattr(request, "login_refused", None) is None:
        usage(request, limit_name="auth_ip", key=by_ip)


class EmailBackend(ModelBackend):
    """Django's model backend; the user manager already matches e-mail addresses case-insensitively."""


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the e-mail address as entered, lower-cased, so ``Ann@x`` and ``ann@x`` share
    one failure count (every login form names the field ``username`` when it calls ``authenticate``)."""
    given = credentials or {}
    raw = given.get("username") or given.get("email") or request.POST.get("username", "")
    return str(raw).strip().lower()


def axes_client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the same client address as every rate limit, ``None`` when there is none (a
    request built in process, such as the test client's ``force_login``)."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the site's 429 (JSON under /api/, a page elsewhere) with ``Retry-After``."""
    from axes.helpers import get_cool_off

    from uaip.views import ratelimited

    cool_off = get_cool_off(request)
    retry_after = max(1, int(cool_off.total_seconds())) if cool_off else 3600
    return ratelimited(
        request,
        RateLimitExceeded(retry_after=retry_after, limit_name="login_failures"),
        reason="Too many failed logins for this account from your address.",
    )
