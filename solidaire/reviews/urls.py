"""Pages of the reviews step (URL names in the 'reviews' namespace)."""

from django.urls import path  # noqa: F401

app_name = "reviews"

urlpatterns: list = []
