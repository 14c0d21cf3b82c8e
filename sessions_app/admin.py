from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sessions_app.models import ActivityEntry, Invitation, Membership, ScopingSession


@admin.register(ScopingSession)
class ScopingSessionAdmin(admin.ModelAdmin):
    list_display = ("project_name", "owner", "status", "current_stage", "created_at", "updated_at")
    list_filter = ("status", "current_stage", "created_at")
    search_fields = ("project_name", "description", "owner__email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "created_at"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "added_by")
    readonly_fields = ("created_at",)


ScopingSessionAdmin.inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "session", "role", "created_at", "accepted_at", "revoked_at")
    list_filter = ("role", "created_at")
    search_fields = ("email", "session__project_name")
    raw_id_fields = ("session", "invited_by", "accepted_by")


@admin.register(ActivityEntry)
class ActivityEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only and hash-chained; an edit here would break the chain (and show)."""

    list_display = ("session", "seq", "kind", "summary", "actor_email", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("session__project_name", "actor_email", "summary")
    list_select_related = ("session",)
    readonly_fields = [f.name for f in ActivityEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ActivityEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ActivityEntry | None = None) -> bool:
        return False
