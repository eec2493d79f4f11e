"""Pages of the ledger (URL names in the 'ledger' namespace). The ledger's
balances and entries are shown at ``registre/<programme>/`` (agreements)."""

from django.urls import path

from solidaire.ledger import views

app_name = "ledger"

urlpatterns = [
    path("registre/<slug:slug>/reports/", views.carry_overs, name="carry_overs"),
]
