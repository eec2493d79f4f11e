"""Pages of the agreements step (URL names in the 'agreements' namespace)."""

from django.urls import path

from solidaire.agreements import views

app_name = "agreements"

urlpatterns = [
    path("conventions/", views.agreement_list, name="list"),
    path("conventions/emettre/<int:proposal_pk>/", views.agreement_issue_page, name="issue"),
    path("conventions/<str:key>/", views.agreement_detail, name="detail"),
    path("conventions/<str:key>/signature/", views.agreement_sign_view, name="sign"),
    path("conventions/<str:key>/versements/<int:pk>/", views.payment_record_view, name="pay"),
    path("conventions/<str:key>/rapports/<int:pk>/", views.report_receive_view, name="receive"),
    path(
        "demandes/<int:pk>/demande-annulation/",
        views.cancellation_request_page,
        name="request_cancellation",
    ),
    path("demandes/<int:pk>/annuler/", views.initiative_cancel_page, name="cancel"),
    path("versements/export.csv", views.payments_csv, name="payments_csv"),
    path("versements/fichier/", views.payment_file, name="payment_file"),
    path("registre/<slug:slug>/", views.ledger, name="ledger"),
    path("registre/<slug:slug>/export.csv", views.ledger_csv, name="ledger_csv"),
]
