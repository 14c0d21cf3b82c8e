"""Team pages: the members (add or invite, change role and function, transfer, remove, leave), pending
invitations, the activity log, and the invitation link's page. Thin: form → service → redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import RegisterForm
from sessions_app.access import session_page
from sessions_app.activity.selectors import activity_list
from sessions_app.errors import InterviewConflict
from sessions_app.models import ActivityKind, Invitation, MemberRole, ScopingSession, TeamFunction
from sessions_app.roles import Capability, RoleRequired, can
from sessions_app.team import selectors, services
from uaip.ratelimits import count_registration, limit_writes

ACTIVITY_PAGE_SIZE = 50


def _team_url(session: ScopingSession) -> str:
    return reverse("team:members", kwargs={"session_id": session.id})


def _flash_errors(request: HttpRequest, exc: ValidationError | InterviewConflict) -> None:
    text = exc.message if isinstance(exc, InterviewConflict) else " ".join(exc.messages)
    messages.error(request, text)


@session_page
def members(request: HttpRequest, session: ScopingSession) -> HttpResponse:
    manage = can(session.role, Capability.MANAGE)
    team = selectors.members_list(session=session)
    progress = selectors.member_progress(session=session, members=team)
    for member in team:
        member.progress = progress[member.user_id]  # type: ignore[attr-defined]
    return render(
        request,
        "sessions_app/team/members.html",
        {
            "session": session,
            "members": team,
            "invitations": selectors.invitations_pending(session=session) if manage else [],
            "can_manage": manage,
            "roles": [c for c in MemberRole.choices if c[0] != MemberRole.OWNER],
            "all_roles": MemberRole.choices,
            "functions": TeamFunction.choices,
            "invitation_days": services.INVITATION_DAYS,
        },
    )


@session_page(POST=Capability.MANAGE)
@require_POST
@limit_writes("session_write")
def member_add(request: HttpRequest, session: ScopingSession) -> HttpResponse:
    email = request.POST.get("email", "")
    try:
        added = services.member_add(
            session=session,
            actor=request.user,  # type: ignore[arg-type]
            email=email,
            role=request.POST.get("role", ""),
            function=request.POST.get("function", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except (ValidationError, InterviewConflict) as exc:
        _flash_errors(request, exc)
    else:
        if added.membership is not None:
            messages.success(request, f"{added.membership.user.get_full_name()} joined the session.")
        else:
            messages.success(
                request,
                f"{email.strip()} has no account yet: an invitation is on its way (valid "
                f"{services.INVITATION_DAYS} days).",
            )
    return redirect(_team_url(session))


@session_page(POST=Capability.MANAGE)
@require_POST
@limit_writes("session_write")
def member_update(request: HttpRequest, session: ScopingSession, user_id: str) -> HttpResponse:
    try:
        membership = services.member_update(
            session=session,
            actor=request.user,  # type: ignore[arg-type]
            user_id=user_id,
            role=request.POST.get("role") or None,
            function=request.POST.get("function") if "function" in request.POST else None,
        )
    except (ValidationError, InterviewConflict) as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, f"Saved {membership.user.get_full_name()}'s role and function.")
    return redirect(_team_url(session))


@session_page(POST=Capability.READ)
@require_POST
@limit_writes("session_write")
def member_remove(request: HttpRequest, session: ScopingSession, user_id: str) -> HttpResponse:
    leaving = str(request.user.pk) == user_id
    if not leaving and not can(session.role, Capability.MANAGE):
        raise RoleRequired(Capability.MANAGE, session.role)
    try:
        services.member_remove(session=session, actor=request.user, user_id=user_id)  # type: ignore[arg-type]
    except (ValidationError, InterviewConflict) as exc:
        _flash_errors(request, exc)
        return redirect(_team_url(session))
    if leaving:
        messages.success(request, f"You left “{session.project_name}”.")
        return redirect("sessions:dashboard")
    messages.success(request, "Removed from the session.")
    return redirect(_team_url(session))


@session_page(POST=Capability.MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, session: ScopingSession, invitation_id: str) -> HttpResponse:
    try:
        invitation = services.invitation_revoke(
            session=session,
            actor=request.user,  # type: ignore[arg-type]
            invitation_id=invitation_id,
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return redirect(_team_url(session))


@session_page
def activity(request: HttpRequest, session: ScopingSession) -> HttpResponse:
    member_ids = {str(m.user_id): m for m in selectors.members_list(session=session)}
    actor = request.GET.get("actor") or ""
    kind = request.GET.get("kind") or ""
    entries = activity_list(
        session=session,
        actor_id=member_ids[actor].user_id if actor in member_ids else None,
        kind=kind if kind in ActivityKind.values else None,
    )
    page = Paginator(entries, ACTIVITY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_app/team/activity.html",
        {
            "session": session,
            "page": page,
            "members": member_ids.values(),
            "kinds": ActivityKind.choices,
            "actor": actor,
            "kind": kind,
        },
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: who invites to what; log in or register with the invited address, then join."""
    try:
        found = services.invitation_from_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "sessions_app/team/invitation.html", {"error": str(exc)}, status=400)
    form = None
    if request.method == "POST" and not request.user.is_authenticated:
        # Registering through the link: the account is made for the invited address and joins at once.
        count_registration(request, found.email)
        data = request.POST.copy()
        data["email"] = found.email
        form = RegisterForm(data, initial={"email": found.email})
        if not (form.is_valid() and (user := form.save()) is not None):
            return render(
                request, "sessions_app/team/invitation.html", _invitation_context(request, found, form), status=400
            )
        login(request, user, backend="accounts.backends.EmailBackend")
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)  # type: ignore[arg-type]
        except services.InvitationInvalid as exc:
            return render(
                request, "sessions_app/team/invitation.html", {"error": str(exc), "invitation": found}, status=400
            )
        messages.success(
            request, f"You joined “{membership.session.project_name}” as {membership.get_role_display().lower()}."
        )
        return redirect("sessions:detail", session_id=membership.session_id)
    if not request.user.is_authenticated:
        form = RegisterForm(initial={"email": found.email})
    return render(request, "sessions_app/team/invitation.html", _invitation_context(request, found, form))


def _invitation_context(request: HttpRequest, found: Invitation, form: RegisterForm | None) -> dict[str, object]:
    if form is not None:
        form.fields["email"].disabled = True
    return {
        "invitation": found,
        "role": MemberRole(found.role).label.lower(),
        "next": request.get_full_path(),
        "expires_at": selectors.invitation_expires_at(found),
        "form": form,
    }
