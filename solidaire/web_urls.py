"""Human-facing pages (owned by the pages work)."""

from django.urls import path

urlpatterns: list = []
