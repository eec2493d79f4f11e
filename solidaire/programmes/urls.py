"""Set-up pages of a programme (URL names in the 'programmes' namespace).
Included before the programme's figures page, whose address
``programmes/<slug>/`` would otherwise take ``programmes/nouveau/``."""

from django.urls import path

from solidaire.programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/nouveau/", views.programme_create, name="create"),
    path("programmes/invitation/<str:token>/", views.invitation, name="invitation"),
    path("programmes/<slug:slug>/modifier/", views.programme_edit, name="edit"),
    path("programmes/<slug:slug>/comite/inviter/", views.committee_invite, name="invite"),
    path("programmes/<slug:slug>/comite/<int:pk>/", views.committee_role, name="role"),
]
