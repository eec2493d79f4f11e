"""Pages of the agreements step (URL names in the 'agreements' namespace)."""

from django.urls import path  # noqa: F401

app_name = "agreements"

urlpatterns: list = []
