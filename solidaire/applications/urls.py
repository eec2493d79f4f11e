"""Pages of the applications step (URL names in the 'applications' namespace)."""

from django.urls import path  # noqa: F401

app_name = "applications"

urlpatterns: list = []
