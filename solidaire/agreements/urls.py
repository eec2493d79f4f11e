"""Pages of the agreements step (URL names in the 'agreements' namespace)."""

from django.urls import path

from solidaire.agreements import closing_views, document_views, report_views, views

app_name = "agreements"

urlpatterns = [
    path("conventions/", views.agreement_list, name="list"),
    # The agreement as a document: template, PDFs, signatures, amendments.
    path(
        "modeles-de-convention/<slug:slug>/",
        document_views.agreement_template_page,
        name="template",
    ),
    path(
        "conventions/<str:key>/document/v<int:version>/<str:language>.pdf",
        document_views.agreement_pdf_view,
        name="pdf",
    ),
    path(
        "conventions/<str:key>/copie-signee/<int:pk>/",
        document_views.agreement_copy_view,
        name="signed_copy",
    ),
    path("conventions/<str:key>/avenants/", document_views.amendments_page, name="amendments"),
    path(
        "conventions/<str:key>/avenants/<int:pk>/decision/",
        document_views.amendment_decide,
        name="amendment_decide",
    ),
    path(
        "demandes/<int:pk>/convention/", document_views.organisation_agreement, name="organisation"
    ),
    path(
        "demandes/<int:pk>/convention/signer/",
        document_views.organisation_sign,
        name="organisation_sign",
    ),
    path(
        "demandes/<int:pk>/convention/v<int:version>/<str:language>.pdf",
        document_views.organisation_pdf,
        name="organisation_pdf",
    ),
    path(
        "demandes/<int:pk>/convention/copie-signee/<int:signature>/",
        document_views.organisation_copy,
        name="organisation_signed_copy",
    ),
    path("conventions/emettre/<int:proposal_pk>/", views.agreement_issue_page, name="issue"),
    path("conventions/<str:key>/", views.agreement_detail, name="detail"),
    path("conventions/<str:key>/signature/", views.agreement_sign_view, name="sign"),
    path("conventions/<str:key>/versements/<int:pk>/", views.payment_record_view, name="pay"),
    path("conventions/<str:key>/rapports/<int:pk>/", views.report_receive_view, name="receive"),
    path(
        "conventions/<str:key>/versements/<int:pk>/contrepassation/",
        closing_views.payment_reverse_view,
        name="reverse",
    ),
    path("conventions/<str:key>/cloture/", closing_views.initiative_close_view, name="close"),
    path(
        "conventions/<str:key>/remboursements/<int:pk>/",
        closing_views.repayment_receive_view,
        name="repayment",
    ),
    path(
        "demandes/<int:pk>/demande-annulation/",
        views.cancellation_request_page,
        name="request_cancellation",
    ),
    path("demandes/<int:pk>/annuler/", views.initiative_cancel_page, name="cancel"),
    path(
        "demandes/<int:pk>/rapports/<int:report_pk>/",
        report_views.report_write,
        name="report_write",
    ),
    path(
        "demandes/<int:pk>/rapports/<int:report_pk>/brouillon/",
        report_views.report_autosave,
        name="report_autosave",
    ),
    path(
        "demandes/<int:pk>/rapports/<int:report_pk>/documents/<int:doc_pk>/",
        report_views.report_document,
        name="report_document",
    ),
    path(
        "conventions/<str:key>/rapports/<int:pk>/examen/",
        report_views.report_review_page,
        name="report_review",
    ),
    path(
        "conventions/<str:key>/rapports/<int:pk>/echeance/",
        report_views.report_due_page,
        name="report_due",
    ),
    path(
        "conventions/<str:key>/rapports/<int:pk>/documents/<int:doc_pk>/",
        report_views.report_document_for_review,
        name="report_review_document",
    ),
    path("versements/export.csv", views.payments_csv, name="payments_csv"),
    path("versements/fichier/", views.payment_file, name="payment_file"),
    path("registre/<slug:slug>/", views.ledger, name="ledger"),
    path("registre/<slug:slug>/export.csv", views.ledger_csv, name="ledger_csv"),
]
