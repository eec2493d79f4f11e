"""Solidaire's URLs. Each app owns its own ``urls.py``; the pages that gather
several apps (home per role) live in ``solidaire/views.py``."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("solidaire.web_urls")),
    path("", include("solidaire.api.health_urls")),
    path("api/", include("solidaire.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

# A database that does not answer while a middleware reads it (the session,
# say) reaches Django's 500 handler: it answers with the plain 503 page.
handler500 = "solidaire.common.unavailable.server_error"
