from django.urls import path

from solidaire.reporting import views

app_name = "reporting"

urlpatterns = [
    path(
        "appels/<slug:programme>/<int:number>/resultats/",
        views.call_results,
        name="call_results",
    ),
    path("ministere/", views.ministry, name="ministry"),
    path("ministere/programmes.csv", views.ministry_csv, name="ministry_csv"),
    path("ministere/programmes.xlsx", views.ministry_xlsx, name="ministry_xlsx"),
]
