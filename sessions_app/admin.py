from django.contrib import admin

from sessions_app.models import ScopingSession


@admin.register(ScopingSession)
class ScopingSessionAdmin(admin.ModelAdmin):
    list_display = ("project_name", "owner", "status", "current_stage", "created_at", "updated_at")
    list_filter = ("status", "current_stage", "created_at")
    search_fields = ("project_name", "description", "owner__email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "created_at"
