from django.urls import path

from solidaire.reporting import views

app_name = "reporting"

urlpatterns = [
    path(
        "appels/<slug:programme>/<int:number>/resultats/",
        views.call_results,
        name="call_results",
    ),
]
