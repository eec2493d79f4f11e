"""Selection pages, under the call's address (French, like every page)."""

from django.urls import path

from solidaire.selection import views

app_name = "selection"

urlpatterns = [
    path(
        "appels/<slug:programme>/<int:number>/selection/",
        views.call_scenarios,
        name="call",
    ),
    path(
        "appels/<slug:programme>/<int:number>/selection/comparer/",
        views.compare,
        name="compare",
    ),
    path(
        "appels/<slug:programme>/<int:number>/selection/<int:pk>/",
        views.scenario_page,
        name="scenario",
    ),
    path(
        "appels/<slug:programme>/<int:number>/selection/<int:pk>/verrous/",
        views.scenario_locks,
        name="locks",
    ),
    path(
        "appels/<slug:programme>/<int:number>/selection/<int:pk>/adopter/",
        views.scenario_adopt,
        name="adopt",
    ),
]
