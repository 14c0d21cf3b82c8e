"""Pages for scoping sessions: dashboard, create, detail, rename, delete. HTMX requests get partials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from sessions_app.access import session_page
from sessions_app.interview.selectors import stage_overview, stage_progress
from sessions_app.models import ScopingSession
from sessions_app.roles import Capability
from sessions_app.sessions.forms import RenameForm, SessionForm
from sessions_app.sessions.selectors import session_list
from sessions_app.sessions.services import session_create, session_delete, session_update
from uaip.htmx import AuthenticatedHtmxRequest, HtmxHttpRequest
from uaip.idempotency import FORM_TOKEN_FIELD, form_submission_claim, form_submission_release
from uaip.ratelimits import limit_writes

DASHBOARD_PAGE_SIZE = 20


def _form_errors_from(form: SessionForm | RenameForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    page = Paginator(session_list(user=request.user), DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": SessionForm(), "show_empty": not page.object_list}
    return render(request, "sessions_app/dashboard.html", context)


@login_required
@require_POST
@limit_writes("session_write")
def create(request: AuthenticatedHtmxRequest) -> HttpResponse:
    token = request.POST.get(FORM_TOKEN_FIELD, "")
    if not form_submission_claim(user=request.user, form="session_create", token=token):
        # The same form again (double click, reload): the first post created the session.
        if request.htmx:
            return HttpResponse(status=204)
        messages.info(request, "That form was already sent: the session exists (see the list).")
        return redirect("sessions:dashboard")
    form = SessionForm(request.POST)
    session = None
    if form.is_valid():
        try:
            session = session_create(
                owner=request.user,
                project_name=form.cleaned_data["project_name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
    if session is None:
        form_submission_release(user=request.user, form="session_create", token=token)
        if request.htmx:
            # Replace the form itself: the form's own hx-swap ("afterbegin" into the list) would nest it.
            response = render(request, "sessions_app/dashboard.html#new-session-form", {"form": form})
            return reswap(retarget(response, "#new-session-form"), "outerHTML")
        page = Paginator(session_list(user=request.user), DASHBOARD_PAGE_SIZE).get_page(1)
        return render(
            request,
            "sessions_app/dashboard.html",
            {"page": page, "form": form, "show_empty": not page.object_list},
            status=400,
        )
    if request.htmx:
        return render(
            request, "sessions_app/partials/session_created.html", {"session": session, "form": SessionForm()}
        )
    messages.success(request, f"Created “{session.project_name}”.")
    return redirect("sessions:dashboard")


@session_page
def detail(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    return render(
        request,
        "sessions_app/detail.html",
        {
            "session": session,
            "stages": stage_overview(session),
            "progress": stage_progress(session),
            "rename_form": RenameForm(initial={"project_name": session.project_name}),
        },
    )


@session_page
@require_POST
@limit_writes("session_write")
def rename(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            session = session_update(
                session=session, project_name=form.cleaned_data["project_name"], actor=request.user
            )
            form = RenameForm(initial={"project_name": session.project_name})
            renamed = True
        except ValidationError as exc:
            _form_errors_from(form, exc)
            renamed = False
    else:
        renamed = False
    if request.htmx:
        return render(
            request,
            "sessions_app/partials/session_renamed.html",
            {"session": session, "rename_form": form, "renamed": renamed},
            status=200 if renamed else 400,
        )
    if renamed:
        messages.success(request, f"Renamed to “{session.project_name}”.")
        return redirect("sessions:detail", session_id=session.id)
    return render(
        request,
        "sessions_app/detail.html",
        {
            "session": session,
            "stages": stage_overview(session),
            "progress": stage_progress(session),
            "rename_form": form,
        },
        status=400,
    )


@session_page(GET=Capability.MANAGE, POST=Capability.MANAGE)
@require_http_methods(["GET", "POST"])
@limit_writes("session_write")
def delete(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    if request.method == "GET":
        return render(request, "sessions_app/confirm_delete.html", {"session": session})
    name = session.project_name
    session_delete(session=session)
    if request.htmx and request.POST.get("from") == "dashboard":
        # The row disappears in place; the empty state comes back with the last one.
        context = {"oob": True, "show_empty": not session_list(user=request.user).exists()}
        return render(request, "sessions_app/dashboard.html#empty-state", context)
    messages.success(request, f"Deleted “{name}”.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("sessions:dashboard"))
    return redirect("sessions:dashboard")
