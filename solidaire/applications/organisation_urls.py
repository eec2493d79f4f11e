"""Pages of organisations (URL names in the 'organisations' namespace)."""

from django.urls import path

from solidaire.applications import organisation_views as views

app_name = "organisations"

urlpatterns = [
    path("organismes/", views.organisation_list, name="list"),
    path("organismes/nouveau/", views.organisation_new, name="new"),
    path("organismes/invitation/<str:token>/", views.invitation_page, name="invitation"),
    path("organismes/<int:pk>/", views.organisation_detail, name="detail"),
    path("organismes/<int:pk>/modifier/", views.organisation_edit, name="edit"),
    path("organismes/<int:pk>/inviter/", views.organisation_invite, name="invite"),
    path(
        "organismes/<int:pk>/invitations/<int:invitation_pk>/annuler/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("organismes/<int:pk>/membres/<int:member_pk>/role/", views.member_role, name="role"),
    path("organismes/<int:pk>/quitter/", views.organisation_leave, name="leave"),
    path("organismes/<int:pk>/choisir/", views.organisation_choose, name="choose"),
]
