from django.urls import path

from solidaire.callsetup import views

app_name = "callsetup"

urlpatterns = [
    path("appels/<slug:programme>/nouveau/", views.call_new, name="new"),
    path("appels/<slug:programme>/<int:number>/modifier/", views.call_edit, name="edit"),
    path("appels/<slug:programme>/<int:number>/apercu/", views.call_preview, name="preview"),
    path("appels/<slug:programme>/<int:number>/publier/", views.call_publish_view, name="publish"),
]
