"""Pages of the applications step (URL names in the 'applications' namespace).
Addresses are French, like every page of the site."""

from django.urls import path

from solidaire.applications import views

app_name = "applications"

urlpatterns = [
    path("demandes/nouvelle/", views.proposal_start, name="start"),
    path("demandes/<int:pk>/modifier/", views.proposal_edit, name="edit"),
    path("demandes/<int:pk>/enregistrer/", views.proposal_autosave, name="autosave"),
    path("demandes/<int:pk>/budget.xlsx", views.proposal_budget_template, name="budget_template"),
    path("demandes/<int:pk>/budget/importer/", views.proposal_budget_import, name="budget_import"),
    path("demandes/<int:pk>/deposer/", views.proposal_review, name="review"),
    path("demandes/<int:pk>/rouvrir/", views.proposal_reopen_page, name="reopen"),
    path("demandes/<int:pk>/accuse-de-reception/", views.proposal_receipt, name="receipt"),
    path(
        "demandes/<int:pk>/accuse-de-reception.pdf",
        views.proposal_receipt_pdf,
        name="receipt_pdf",
    ),
    path("demandes/<int:pk>/versions/<int:number>/", views.proposal_version, name="version"),
    path(
        "demandes/<int:pk>/versions/<int:number>/accuse-de-reception.pdf",
        views.proposal_version_pdf,
        name="version_pdf",
    ),
    path("demandes/<int:pk>/retirer/", views.proposal_withdraw_page, name="withdraw"),
    path(
        "demandes/<int:pk>/documents/<int:attachment_pk>/",
        views.proposal_document,
        name="document",
    ),
    path("demandes/<int:pk>/prolonger/", views.deadline_extend_page, name="extend_deadline"),
]
