from django.urls import path

from solidaire.reporting import views

app_name = "reporting"

# The call's number is an int: /appels/<programme>/nouveau/ belongs to the
# coordinator's set-up pages, not to a call.
urlpatterns = [
    path("appels/", views.call_list, name="call_list"),
    path("appels/<slug:programme>/<int:number>/", views.call_detail, name="call_detail"),
    path(
        "appels/<slug:programme>/<int:number>/echeance.ics",
        views.call_deadline_ics,
        name="call_deadline_ics",
    ),
    path(
        "appels/<slug:programme>/<int:number>/modele-budget.xlsx",
        views.call_budget_template,
        name="call_budget_template",
    ),
    path(
        "appels/<slug:programme>/<int:number>/resultats/",
        views.call_results,
        name="call_results",
    ),
    path("ministere/", views.ministry, name="ministry"),
    path("ministere/programmes.csv", views.ministry_csv, name="ministry_csv"),
    path("ministere/programmes.xlsx", views.ministry_xlsx, name="ministry_xlsx"),
]
