"""The one access guard: every session-scoped page and endpoint resolves its session here, for the acting user,
and checks that the user's role in it allows what the request does (``sessions_app.roles``).

- API views subclass :class:`SessionScopedAPIView` (``self.session``) or :class:`RunScopedAPIView` (``self.run``);
  the resolution happens in ``initial()``, after authentication and before the handler, and a subclass that
  overrides it fails at import time. Reads need ``Capability.READ``, every other method ``Capability.EDIT``,
  unless the view names its own in ``capabilities`` (per method).
- Page views take the session from the :func:`session_page` decorator as their second argument; the decorator
  takes the same per-method capabilities (``@session_page(POST=Capability.COMMENT)``).

A session the user is not a member of, or a run of one, is simply not found (404), so ids never leak; a member
whose role lacks the capability gets 403 with a message naming the role needed (:class:`RoleRequired`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from sessions_app.models import ScopingSession, StageRun
from sessions_app.roles import Capability, require
from sessions_app.runs.selectors import run_get
from sessions_app.sessions.selectors import session_get

GUARD_MARK = "uaip_session_guard"
CAPABILITIES_MARK = "uaip_capabilities"
_GUARDED_METHODS = ("initial", "dispatch", "resolve_scope")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def needed(method: str, capabilities: Mapping[str, Capability]) -> Capability:
    """What a request of ``method`` needs: the view's own word for it, else reading for the read methods and
    changing the interview for the rest."""
    method = method.upper()
    if method in capabilities:
        return capabilities[method]
    return Capability.READ if method in READ_METHODS else Capability.EDIT


def _refuse_overrides(cls: type, base: type) -> None:
    overridden = [name for name in _GUARDED_METHODS if name in cls.__dict__]
    if overridden:
        raise TypeError(
            f"{cls.__qualname__} overrides {', '.join(overridden)} of {base.__name__}: the access guard must run "
            "for every request. Do the view's work in its get/post/… handler instead."
        )


class SessionScopedAPIView(APIView):
    """An endpoint under ``/sessions/{session_id}/…``: ``self.session`` is the acting user's session."""

    session: ScopingSession
    capabilities: ClassVar[Mapping[str, Capability]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, SessionScopedAPIView)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles first
        self.resolve_scope(request, **kwargs)

    def resolve_scope(self, request: Request, **kwargs: Any) -> None:
        self.session = session_get(user=request.user, session_id=kwargs["session_id"])
        require(self.session.role, needed(request.method or "GET", self.capabilities))


class RunScopedAPIView(APIView):
    """An endpoint under ``/runs/{run_id}``: ``self.run`` is one of the acting user's runs."""

    run: StageRun
    capabilities: ClassVar[Mapping[str, Capability]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, RunScopedAPIView)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.resolve_scope(request, **kwargs)

    def resolve_scope(self, request: Request, **kwargs: Any) -> None:
        self.run = run_get(user=request.user, run_id=kwargs["run_id"])
        require(self.run.session.role, needed(request.method or "GET", self.capabilities))


type PageView = Callable[..., HttpResponse]


def session_page(view: PageView | None = None, /, **capabilities: Capability) -> Any:
    """A page under ``/sessions/{session_id}/…``: log-in required, then the view gets the session (404 when the
    user is not a member) in place of the ``session_id`` argument, once the user's role allows the request.

    ``@session_page`` reads need reading, posts need editing; ``@session_page(POST=Capability.COMMENT)`` says
    otherwise per method."""

    def decorate(page: PageView) -> PageView:
        @login_required
        @functools.wraps(page)
        def guarded(request: HttpRequest, session_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
            session = session_get(user=request.user, session_id=session_id)
            require(session.role, needed(request.method or "GET", capabilities))
            return page(request, session, *args, **kwargs)

        setattr(guarded, GUARD_MARK, True)
        setattr(guarded, CAPABILITIES_MARK, dict(capabilities))
        return guarded

    return decorate(view) if view is not None else decorate


def capabilities_of(callback: Callable[..., Any]) -> Mapping[str, Capability]:
    """The per-method capabilities a guarded page or endpoint declares (the rest follow :func:`needed`)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return getattr(view_class, "capabilities", {})
    return getattr(callback, CAPABILITIES_MARK, {})


def is_guarded(callback: Callable[..., Any]) -> bool:
    """Whether a URL pattern's callback goes through this guard (used by the test that walks every URL)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, SessionScopedAPIView | RunScopedAPIView)
    return bool(getattr(callback, GUARD_MARK, False))
