"""Pages of the reviews step (URL names in the 'reviews' namespace). French
addresses, like every page: the call's screening, evaluators and scores,
and the evaluator's scoring and conflict forms beside the review."""

from django.urls import path

from solidaire.reviews import assignment_views, evaluator_views, score_views, tie_views, views

app_name = "reviews"

urlpatterns = [
    path(
        "appels/<slug:programme>/<int:number>/admissibilite/",
        views.screening,
        name="screening",
    ),
    path(
        "appels/<slug:programme>/<int:number>/admissibilite/<int:pk>/",
        views.screening_proposal,
        name="screening_proposal",
    ),
    path(
        "appels/<slug:programme>/<int:number>/evaluations/",
        assignment_views.assignments,
        name="assignments",
    ),
    path(
        "appels/<slug:programme>/<int:number>/evaluations/<int:pk>/",
        views.assign_proposal,
        name="assign",
    ),
    path("appels/<slug:programme>/<int:number>/notes/", views.scores, name="scores"),
    path(
        "appels/<slug:programme>/<int:number>/notes.xlsx",
        score_views.scores_export,
        name="scores_export",
    ),
    path(
        "appels/<slug:programme>/<int:number>/notes/<int:pk>/",
        score_views.proposal_reviews,
        name="proposal_reviews",
    ),
    path(
        "appels/<slug:programme>/<int:number>/evaluations/<int:pk>/liberer/<int:review>/",
        views.review_release_page,
        name="release",
    ),
    path(
        "appels/<slug:programme>/<int:number>/evaluations/automatique/",
        assignment_views.automatic_propose,
        name="automatic",
    ),
    path(
        "appels/<slug:programme>/<int:number>/evaluations/automatique/appliquer/",
        assignment_views.automatic_apply,
        name="automatic_apply",
    ),
    path("compte/liens/", tie_views.ties_page, name="ties"),
    path("compte/liens/<int:pk>/retirer/", tie_views.tie_delete, name="tie_delete"),
    path("programmes/<slug:slug>/liens/", tie_views.programme_ties_page, name="programme_ties"),
    path("evaluations/<int:pk>/noter/", views.review_score, name="score"),
    path("evaluations/<int:pk>/conflit/", views.review_conflict, name="conflict"),
    path(
        "evaluations/<int:pk>/documents/<int:attachment_pk>/",
        evaluator_views.review_document,
        name="document",
    ),
]
