"""``/healthz`` lives at the site's root, outside the versioned API."""

from django.urls import path

from solidaire.api.views import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
