"""Pages of ties known in advance: each evaluator and committee member keeps
theirs (and the territories they know), the coordination reads them all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from solidaire.accounts.models import User
from solidaire.accounts.permissions import allowed
from solidaire.applications.access import roles_for
from solidaire.programmes.models import Programme
from solidaire.reviews.forms import KnowledgeForm, TieForm
from solidaire.reviews.ties import (
    knowledge_of,
    knowledge_save,
    programme_ties,
    tie_programmes,
    tie_record,
    tie_remove,
    ties_of,
)
from solidaire.views import nav_for


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def ties_page(request: HttpRequest) -> HttpResponse:
    """The person's ties per programme, a form to add one, and the
    territories they know; 404 for whoever neither evaluates nor sits on a
    committee."""
    person = _person(request)
    programmes = list(tie_programmes(person))
    if not programmes:
        raise Http404
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    form = TieForm(request.POST if posted == "tie" else None, programmes=programmes)
    knowledge_forms = []
    for programme in programmes:
        data = request.POST if posted == f"k{programme.pk}" else None
        knowledge_forms.append(
            KnowledgeForm(data, programme=programme, known=knowledge_of(person, programme))
        )
    status = 200
    if posted == "tie" and form.is_valid():
        chosen = {p.pk: p for p in programmes}[form.cleaned_data["programme"]]
        try:
            tie = tie_record(
                person=person,
                programme=chosen,
                kind=form.cleaned_data["kind"],
                organisation_name=form.cleaned_data["organisation_name"],
                neq=form.cleaned_data["neq"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
                actor=person,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Tie to %(name)s recorded: its proposals are kept away from you "
                    "in %(programme)s."
                )
                % {"name": tie.name, "programme": chosen.name},
            )
            return redirect("reviews:ties")
    for kform in knowledge_forms:
        if posted == f"k{kform.programme.pk}" and kform.is_valid():
            try:
                knowledge_save(
                    person=person,
                    programme=kform.programme,
                    territories=kform.cleaned_data["territories"],
                )
            except ValidationError as exc:
                kform.add_error("territories", exc.messages)
            else:
                messages.success(request, _("The territories you know are saved."))
                return redirect("reviews:ties")
    if posted and (form.errors or any(k.errors for k in knowledge_forms)):
        status = 400
    return render(
        request,
        "reviews/ties.html",
        {
            "form": form,
            "ties": list(ties_of(person)),
            "knowledge_forms": knowledge_forms,
            "nav": nav_for(roles_for(person)),
        },
        status=status,
    )


@login_required
@require_POST
def tie_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of the person's own ties; anyone else's is a 404."""
    person = _person(request)
    tie = ties_of(person).filter(pk=pk).first()
    if tie is None:
        raise Http404
    tie_remove(tie=tie, actor=person)
    messages.success(request, _("Tie to %(name)s removed.") % {"name": tie.name})
    return redirect("reviews:ties")


@login_required
def programme_ties_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every tie kept in the programme, for its coordination."""
    programme = Programme.objects.filter(slug=slug).first()
    roles = roles_for(request.user)
    if programme is None or not allowed(roles, "review.assign", programme_id=programme.pk):
        raise Http404
    return render(
        request,
        "reviews/programme_ties.html",
        {
            "programme": programme,
            "header_programme": programme,
            "ties": list(programme_ties(programme)),
            "nav": nav_for(roles),
        },
    )
