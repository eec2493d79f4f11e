"""Human-facing pages. URLs are French (the programme's first language);
English readers get the same addresses with English text."""

from django.urls import include, path

from solidaire import views
from solidaire.accounts.urls import allauth_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("solidaire.accounts.urls")),
    path("", include(allauth_urlpatterns)),
    path("", include("solidaire.reporting.urls")),
    path("", include("solidaire.selection.urls")),
    path("", include("solidaire.applications.urls")),
    path("", include("solidaire.applications.organisation_urls")),
    path("", include("solidaire.reviews.urls")),
    path("", include("solidaire.committee.urls")),
    path("", include("solidaire.agreements.urls")),
    path("", include("solidaire.exchanges.urls")),
    path("", include("solidaire.callsetup.urls")),
    path("", include("solidaire.ledger.urls")),
    # Before the figures page below: programmes/nouveau/ is not a programme.
    path("", include("solidaire.programmes.urls")),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme_detail"),
    path("demandes/", views.proposal_list, name="proposal_list"),
    path("demandes/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("evaluations/", views.review_list, name="review_list"),
    path("evaluations/<int:pk>/", views.review_detail, name="review_detail"),
    path("versements/", views.payment_list, name="payment_list"),
]
