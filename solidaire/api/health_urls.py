"""``/healthz`` and ``/readyz`` live at the site's root, outside the versioned API."""

from django.urls import path

from solidaire.api.views import healthz
from solidaire.common.health import readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
