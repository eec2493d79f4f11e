"""Pages of the committee step (URL names in the 'committee' namespace)."""

from django.urls import path

from solidaire.committee import views

app_name = "committee"

urlpatterns = [
    path("appels/<slug:programme>/<int:number>/seance/", views.meeting, name="meeting"),
    path(
        "appels/<slug:programme>/<int:number>/seance/reglages/",
        views.meeting_settings,
        name="meeting_settings",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/presences/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/proces-verbal/",
        views.minutes,
        name="minutes",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/proces-verbal.pdf",
        views.minutes_pdf,
        name="minutes_pdf",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/<int:pk>/",
        views.consensus,
        name="consensus",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/retards/",
        views.overdue,
        name="overdue",
    ),
    path(
        "appels/<slug:programme>/<int:number>/seance/retards/<int:pk>/rappel/",
        views.remind,
        name="remind",
    ),
    path("appels/<slug:programme>/<int:number>/panel/", views.panel_setup, name="panel_setup"),
    path("panel/", views.panel_home, name="panel_home"),
    path("panel/consentement/<slug:slug>/", views.panel_consent_page, name="panel_consent"),
    path("panel/<int:pk>/", views.panel_proposal, name="panel_proposal"),
]
