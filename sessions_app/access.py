"""The one access guard: every session-scoped page and endpoint resolves its session here, for the acting user.

- API views subclass :class:`SessionScopedAPIView` (``self.session``) or :class:`RunScopedAPIView` (``self.run``);
  the resolution happens in ``initial()``, after authentication and before the handler, and a subclass that
  overrides it fails at import time.
- Page views take the session from the :func:`session_page` decorator as their second argument.

Another user's session or run is simply not found (404), so ids never leak.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from sessions_app.models import ScopingSession, StageRun
from sessions_app.runs.selectors import run_get
from sessions_app.sessions.selectors import session_get

GUARD_MARK = "uaip_session_guard"
_GUARDED_METHODS = ("initial", "dispatch", "resolve_scope")


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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, SessionScopedAPIView)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles first
        self.resolve_scope(request, **kwargs)

    def resolve_scope(self, request: Request, **kwargs: Any) -> None:
        self.session = session_get(user=request.user, session_id=kwargs["session_id"])


class RunScopedAPIView(APIView):
    """An endpoint under ``/runs/{run_id}``: ``self.run`` is one of the acting user's runs."""

    run: StageRun

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, RunScopedAPIView)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.resolve_scope(request, **kwargs)

    def resolve_scope(self, request: Request, **kwargs: Any) -> None:
        self.run = run_get(user=request.user, run_id=kwargs["run_id"])


def session_page[**P](
    view: Callable[Concatenate[Any, ScopingSession, P], HttpResponse],
) -> Callable[..., HttpResponse]:
    """A page under ``/sessions/{session_id}/…``: log-in required, then the view gets the user's session (404
    otherwise) in place of the ``session_id`` argument."""

    @login_required
    @functools.wraps(view)
    def guarded(request: HttpRequest, session_id: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        session = session_get(user=request.user, session_id=session_id)
        return view(request, session, *args, **kwargs)

    setattr(guarded, GUARD_MARK, True)
    return guarded


def is_guarded(callback: Callable[..., Any]) -> bool:
    """Whether a URL pattern's callback goes through this guard (used by the test that walks every URL)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return issubclass(view_class, SessionScopedAPIView | RunScopedAPIView)
    return bool(getattr(callback, GUARD_MARK, False))
