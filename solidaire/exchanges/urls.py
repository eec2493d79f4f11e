"""Pages of the questions and answers (URL names in the 'exchanges' namespace)."""

from django.urls import path

from solidaire.exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/documents/<int:pk>/", views.message_document, name="document"),
]
