from django.urls import URLPattern, path

from sessions_app.team import api, views

app_name = "team"
SESSION = "<str:session_id>"
urlpatterns: list[URLPattern] = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path(f"{SESSION}/team/", views.members, name="members"),
    path(f"{SESSION}/team/add/", views.member_add, name="member_add"),
    path(f"{SESSION}/team/<str:user_id>/", views.member_update, name="member_update"),
    path(f"{SESSION}/team/<str:user_id>/remove/", views.member_remove, name="member_remove"),
    path(f"{SESSION}/invitations/<str:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path(f"{SESSION}/activity/", views.activity, name="activity"),
]

API_SESSION = "sessions/<str:session_id>"
api_urlpatterns: list[URLPattern] = [
    path("invitations/accept", api.InvitationAcceptView.as_view(), name="invitation-accept"),
    path(f"{API_SESSION}/members", api.MembersView.as_view(), name="members"),
    path(f"{API_SESSION}/members/<str:user_id>", api.MemberDetailView.as_view(), name="member-detail"),
    path(f"{API_SESSION}/invitations", api.InvitationsView.as_view(), name="invitations"),
    path(
        f"{API_SESSION}/invitations/<str:invitation_id>", api.InvitationDetailView.as_view(), name="invitation-detail"
    ),
    path(f"{API_SESSION}/activity", api.ActivityView.as_view(), name="activity"),
]
