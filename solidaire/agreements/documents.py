"""The agreement as a document: the coordination's template, the versions of
an agreement's terms, the PDF issued for each version, and the signatures of
both parties.

* A programme's **template** is a fixed set of clauses of plain text, in
  French and English, where only the placeholders of :data:`PLACEHOLDERS`
  are replaced (``{organisation}``, ``{total}``…): a coordinator never runs
  template code. Parties, amounts per fiscal year, payment schedule and
  reports due are tables drawn from the agreement itself.
* A **version** keeps a snapshot of the terms (``AgreementVersion.terms``):
  version 1 is taken the first time the agreement is shown as a document,
  before any amendment can change it; each approved amendment adds one.
* A **document** is a version rendered to PDF in one language, stored in the
  private store with its SHA-256 the first time somebody asks for it (the
  organisation's language when the agreement is issued, the other one on
  request), then served as stored: never rendered again.
* **Signatures**: the organisation's manager signs the current version in
  the product (name, title, instant, the SHA-256 of the document read) or
  sends a signed copy through the one upload path; the trustee's finance
  officer then countersigns the same document. When both have signed, the
  agreement is in force (``Agreement.signed_on``) — the condition of its
  first payment — or, after an amendment, its new terms are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from solidaire.accounts.models import User
from solidaire.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
    Payment,
    Report,
)
from solidaire.agreements.services import agreement_sign, commitment_amounts
from solidaire.applications.models import Organisation, OrganisationMember, Proposal
from solidaire.audit.services import audit_record
from solidaire.common.fiscal import quebec_today
from solidaire.common.money import ZERO, format_money
from solidaire.common.pdf import render_pdf, sha256_hex
from solidaire.common.templatetags.solidaire import date as date_filter
from solidaire.documents.storage import discard, private_storage, store, store_generated
from solidaire.documents.validation import JPEG, PDF, PNG, validate_upload
from solidaire.programmes.models import Programme

FOLDER = "agreements"
SIGNED_COPIES = "agreements/signed"
LANGUAGES = ("fr", "en")

# The clauses a coordinator edits, in the order the document shows them.
SECTIONS: tuple[str, ...] = (
    "purpose",
    "payment_terms",
    "conditions",
    "reporting",
    "visibility",
    "duration",
)

# The only names a clause may use, between braces; anything else is refused
# when the template is saved.
PLACEHOLDERS: dict[str, Any] = {
    "organisation": gettext_lazy("the organisation's legal name"),
    "initiative": gettext_lazy("the initiative's title"),
    "reference": gettext_lazy("the proposal's reference"),
    "number": gettext_lazy("the agreement's number"),
    "programme": gettext_lazy("the programme's name"),
    "trustee": gettext_lazy("the trustee"),
    "funder": gettext_lazy("the funder"),
    "total": gettext_lazy("the total amount of the agreement"),
    "ends_on": gettext_lazy("the day the initiative ends"),
    "programme_ends_on": gettext_lazy("the day the programme ends"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    "purpose": (
        "Le fiduciaire, {trustee}, au nom du programme {programme}, accorde à {organisation} "
        "une aide financière non récurrente pour réaliser l'initiative « {initiative} » "
        "({reference}), telle que décrite dans la demande retenue.",
        "The trustee, {trustee}, on behalf of the programme {programme}, grants {organisation} "
        "non-recurring financial assistance to carry out the initiative “{initiative}” "
        "({reference}), as described in the proposal retained.",
    ),
    "payment_terms": (
        "L'aide totale de {total} est versée selon le calendrier ci-dessus. Le premier "
        "versement suit la signature de la présente convention par les deux parties; chaque "
        "versement suivant suit la réception du rapport qui le conditionne.",
        "The total assistance of {total} is paid according to the schedule above. The first "
        "payment follows the signature of this agreement by both parties; each later payment "
        "follows the receipt of the report it depends on.",
    ),
    "conditions": (
        "L'organisme utilise l'aide uniquement pour l'initiative et les dépenses admissibles "
        "prévues; il associe les personnes en situation de pauvreté à chaque étape; il "
        "informe le fiduciaire sans délai de tout changement important. Les sommes non "
        "utilisées sont remboursées.",
        "The organisation uses the assistance only for the initiative and its planned eligible "
        "expenses; it involves people living in poverty at every stage; it informs the trustee "
        "without delay of any significant change. Unused money is repaid.",
    ),
    "reporting": (
        "L'organisme remet un rapport d'étape pour chaque exercice financier de l'initiative "
        "sauf le dernier, et un rapport final au plus tard trois mois après la fin de "
        "l'initiative, avec un état des revenus et des dépenses.",
        "The organisation sends a progress report for each fiscal year of the initiative but "
        "the last, and a final report within three months of the initiative's end, with a "
        "statement of revenue and expenses.",
    ),
    "visibility": (
        "L'organisme mentionne le soutien de {funder} et du programme {programme} dans ses "
        "communications sur l'initiative.",
        "The organisation acknowledges the support of {funder} and of the programme "
        "{programme} in its communications about the initiative.",
    ),
    "duration": (
        "La convention prend effet à sa signature par les deux parties et se termine le "
        "{ends_on}, avant la fin du programme le {programme_ends_on}.",
        "The agreement takes effect when both parties have signed it and ends on {ends_on}, "
        "before the programme ends on {programme_ends_on}.",
    ),
}


class SigningRefused(ValidationError):
    """A signature the product does not record, with the reason."""


# ----------------------------------------------------------------------------- template


def placeholder_problems(text: str) -> list[str]:
    """Why ``text`` is not a valid clause (unknown placeholders, template
    code), or an empty list."""
    problems = []
    if "{%" in text or "{{" in text or "%}" in text or "}}" in text:
        problems.append(
            _("Template code is not allowed; use only the placeholders listed, such as {total}.")
        )
        return problems
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        problems.append(
            _("Unknown placeholder: %(names)s. Use only: %(allowed)s.")
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "allowed": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            }
        )
    return problems


def agreement_template_for(programme: Programme) -> AgreementTemplate:
    """The programme's template, or an unsaved one holding the default clauses."""
    template = AgreementTemplate.objects.filter(programme=programme).first()
    if template is not None:
        return template
    template = AgreementTemplate(programme=programme)
    for section, (french, english) in DEFAULT_TEXTS.items():
        setattr(template, section, french)
        setattr(template, f"{section}_en", english)
    return template


def agreement_template_save(
    *, programme: Programme, texts: dict[str, str], actor: User | None
) -> AgreementTemplate:
    """Save the programme's clauses (``texts`` maps ``<section>`` and
    ``<section>_en`` to their text). French is required; every text may use
    only the documented placeholders. Documents already issued keep the
    clauses they were issued with."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for section in SECTIONS:
        for name in (section, f"{section}_en"):
            text = str(texts.get(name, "")).strip()
            if name == section and not text:
                errors[name] = [_("Write this clause in French.")]
                continue
            problems = placeholder_problems(text)
            if problems:
                errors[name] = problems
            cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        template = agreement_template_for(programme)
        for name, text in cleaned.items():
            setattr(template, name, text)
        template.updated_by = actor
        template.save()
        audit_record(actor=actor, event_type="agreement.template_saved", target=programme)
    return template


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced by its value (plain text: the
    PDF template escapes it like any other value)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# ----------------------------------------------------------------------------- versions


def terms_snapshot(agreement: Agreement) -> dict[str, Any]:
    """The agreement's terms as they stand, for a new version: facts as plain
    JSON (amounts as decimal strings, days as ISO dates) and the clauses of
    the programme's template in both languages."""
    proposal = Proposal.objects.select_related(
        "organisation", "call__programme__region", "stream"
    ).get(pk=agreement.proposal_id)
    programme = proposal.call.programme
    organisation = proposal.organisation
    template = agreement_template_for(programme)
    amounts = commitment_amounts(proposal)
    payments = (
        Payment.objects.filter(agreement=agreement)
        .exclude(status=Payment.Status.CANCELLED)
        .select_related("fiscal_year")
        .order_by("sequence")
    )
    reports = Report.objects.filter(agreement=agreement).select_related("fiscal_year")
    return {
        "number": agreement.number,
        "issued_on": agreement.issued_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "organisation": {
            "legal_name": organisation.legal_name,
            "neq": organisation.neq,
            "address": ", ".join(
                part
                for part in (organisation.address, organisation.city, organisation.postal_code)
                if part
            ),
        },
        "programme": {
            "name": programme.name,
            "region": programme.region.name,
            "trustee": programme.trustee,
            "funder": programme.funder,
            "ends_on": programme.ends_on.isoformat(),
        },
        "initiative": {
            "title": proposal.title,
            "reference": proposal.reference,
            "call": f"{proposal.call.number}",
            "stream": proposal.stream.name if proposal.stream else "",
        },
        "amounts": [{"fiscal_year": fy.label, "amount": str(a)} for fy, a in amounts.items()],
        "total": str(sum(amounts.values(), ZERO)),
        "payments": [
            {
                "sequence": p.sequence,
                "fiscal_year": p.fiscal_year.label,
                "due_on": p.due_on.isoformat(),
                "amount": str(p.amount),
                "condition": p.condition,
                "paid_on": p.paid_on.isoformat() if p.paid_on else None,
            }
            for p in payments
        ],
        "reports": [
            {"kind": r.kind, "fiscal_year": r.fiscal_year.label, "due_on": r.due_on.isoformat()}
            for r in sorted(reports, key=lambda r: (r.due_on, r.pk))
        ],
        "clauses": {
            section: {
                "fr": getattr(template, section),
                "en": getattr(template, f"{section}_en"),
            }
            for section in SECTIONS
        },
    }


def agreement_version_current(agreement: Agreement) -> AgreementVersion:
    """The version in force (the latest); version 1 is taken from the
    agreement as it stands the first time it is asked for."""
    version = AgreementVersion.objects.filter(agreement=agreement).order_by("-number").first()
    if version is not None:
        return version
    with transaction.atomic():
        # The agreement's row serialises two first requests: one snapshot only.
        Agreement.objects.select_for_update().filter(pk=agreement.pk).values("pk").get()
        version = AgreementVersion.objects.filter(agreement=agreement).order_by("-number").first()
        if version is None:
            version = AgreementVersion.objects.create(
                agreement=agreement, number=1, terms=terms_snapshot(agreement)
            )
    return version


# ----------------------------------------------------------------------------- documents


def organisation_language(organisation_id: int) -> str:
    """The language the organisation reads: that of its first manager."""
    language = (
        OrganisationMember.objects.filter(
            organisation_id=organisation_id, role=OrganisationMember.Role.MANAGER
        )
        .order_by("joined_at", "pk")
        .values_list("user__preferred_language", flat=True)
        .first()
    )
    return language if language in LANGUAGES else "fr"


_CONDITIONS = {
    Payment.Condition.SIGNATURE: gettext_lazy("Agreement signed by both parties"),
    Payment.Condition.PROGRESS_REPORT: gettext_lazy("Progress report of the previous year"),
    Payment.Condition.FINAL_REPORT: gettext_lazy("Final report received"),
}


def _document_context(version: AgreementVersion, language: str) -> dict[str, Any]:
    """What the PDF template shows, in the active language."""
    terms = version.terms
    total = Decimal(terms["total"])
    ends_on = date.fromisoformat(terms["ends_on"])
    programme_ends_on = date.fromisoformat(terms["programme"]["ends_on"])
    values = {
        "organisation": terms["organisation"]["legal_name"],
        "initiative": terms["initiative"]["title"],
        "reference": terms["initiative"]["reference"],
        "number": terms["number"],
        "programme": terms["programme"]["name"],
        "trustee": terms["programme"]["trustee"],
        "funder": terms["programme"]["funder"] or terms["programme"]["trustee"],
        "total": format_money(total),
        "ends_on": date_filter(ends_on, "DATE_FORMAT"),
        "programme_ends_on": date_filter(programme_ends_on, "DATE_FORMAT"),
    }
    clauses = []
    titles = {
        "purpose": _("Purpose"),
        "payment_terms": _("Payment terms"),
        "conditions": _("Conditions"),
        "reporting": _("Reporting duties"),
        "visibility": _("Visibility"),
        "duration": _("Duration and end"),
    }
    for section in SECTIONS:
        texts = terms["clauses"][section]
        text = texts.get(language) or texts["fr"]
        clauses.append({"title": titles[section], "text": fill(text, values)})
    kinds = dict(Report.Kind.choices)
    return {
        "terms": terms,
        "version": version.number,
        "issued_on": date.fromisoformat(terms["issued_on"]),
        "ends_on": ends_on,
        "programme_ends_on": programme_ends_on,
        "amounts": [(a["fiscal_year"], Decimal(a["amount"])) for a in terms["amounts"]],
        "total": total,
        "payments": [
            {
                **p,
                "due_on": date.fromisoformat(p["due_on"]),
                "amount": Decimal(p["amount"]),
                "condition": _CONDITIONS.get(p["condition"], p["condition"]),
            }
            for p in terms["payments"]
        ],
        "reports": [
            {
                **r,
                "kind": kinds.get(r["kind"], r["kind"]),
                "due_on": date.fromisoformat(r["due_on"]),
            }
            for r in terms["reports"]
        ],
        "clauses": clauses,
    }


def agreement_pdf(version: AgreementVersion, language: str) -> bytes:
    """The version rendered to PDF in ``language`` (not stored)."""
    with translation.override(language):
        return render_pdf("pdf/agreement.html", _document_context(version, language))


def agreement_document_get(
    *, version: AgreementVersion, language: str, actor: User | None = None
) -> AgreementDocument:
    """The version's document in ``language``: the one issued, or issued now
    (rendered, stored in the private store with its SHA-256, kept as is)."""
    if language not in LANGUAGES:
        raise ValidationError(_("Agreements are issued in French or English."))
    document = AgreementDocument.objects.filter(version=version, language=language).first()
    if document is not None:
        return document
    pdf = agreement_pdf(version, language)
    number = version.agreement.number if hasattr(version, "agreement") else version.agreement_id
    name = f"{FOLDER}/{number}-v{version.number}-{language}-{sha256_hex(pdf)[:16]}.pdf"
    stored_name = store_generated(
        pdf, name=private_storage().get_available_name(name), folder=FOLDER
    )
    try:
        with transaction.atomic():
            document = AgreementDocument.objects.create(
                version=version,
                language=language,
                stored_name=stored_name,
                sha256=sha256_hex(pdf),
                size=len(pdf),
                issued_by=actor if actor is not None and actor.is_authenticated else None,
            )
            audit_record(
                actor=actor,
                event_type="agreement.document_issued",
                target=version.agreement,
                new_value=document.sha256,
                data={"version": version.number, "language": language},
            )
    except IntegrityError:
        # Somebody issued it at the same moment: theirs is the document.
        discard(stored_name)
        return AgreementDocument.objects.get(version=version, language=language)
    return document


def agreement_document_issue(*, agreement: Agreement, actor: User | None) -> AgreementDocument:
    """Issue the current version's document in the organisation's language."""
    version = agreement_version_current(agreement)
    return agreement_document_get(
        version=version,
        language=organisation_language(agreement.proposal.organisation_id),
        actor=actor,
    )


def document_content(document: AgreementDocument) -> bytes:
    """The bytes as issued; refused if the stored file no longer matches its
    SHA-256 (it was changed behind the product's back)."""
    with private_storage().open(document.stored_name, "rb") as handle:
        content = handle.read()
    if sha256_hex(content) != document.sha256:
        raise ValidationError(
            _("The stored document no longer matches its SHA-256; it is not served.")
        )
    return bytes(content)


# ----------------------------------------------------------------------------- signatures


@dataclass
class SigningState:
    """The current version of an agreement, its documents and who signed it."""

    version: AgreementVersion
    documents: dict[str, AgreementDocument] = field(default_factory=dict)
    organisation: AgreementSignature | None = None
    trustee: AgreementSignature | None = None
    older: list[AgreementVersion] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.organisation is not None and self.trustee is not None


def signing_state(agreement: Agreement) -> SigningState:
    """What the signature panels show, read in three queries."""
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement)
        .prefetch_related("documents")
        .order_by("-number")
    )
    current = versions[0] if versions else agreement_version_current(agreement)
    state = SigningState(version=current, older=versions[1:])
    state.documents = {d.language: d for d in current.documents.all()}
    for signature in AgreementSignature.objects.filter(version=current).select_related("document"):
        setattr(state, signature.party, signature)
    return state


def _check_signer(name: str, title: str) -> tuple[str, str]:
    name, title = name.strip(), title.strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the name of the person who signs.")]
    if not title:
        errors["title"] = [_("Give the title of the person who signs.")]
    if errors:
        raise SigningRefused(errors)
    return name, title


def _locked_current(agreement: Agreement) -> tuple[Agreement, AgreementVersion]:
    """The agreement's row locked (a cancellation, an amendment's approval or
    the other party's signature at the same moment waits), and its version."""
    locked = Agreement.objects.select_for_update().select_related("proposal").get(pk=agreement.pk)
    if locked.status not in (Agreement.Status.ISSUED, Agreement.Status.SIGNED):
        raise SigningRefused(_("This agreement is completed or terminated: nothing is signed."))
    version = AgreementVersion.objects.filter(agreement=locked).order_by("-number").first()
    if version is None:
        # Nobody has opened the agreement yet: the organisation has not signed.
        raise SigningRefused(_("The organisation signs first; the trustee countersigns after it."))
    return locked, version


def agreement_sign_organisation(
    *,
    agreement: Agreement,
    document: AgreementDocument,
    actor: User,
    name: str,
    title: str,
    signed_copy: Any = None,
) -> AgreementSignature:
    """The organisation's manager signs ``document``, which must be a
    document of the current version: signing an older version is refused.
    With ``signed_copy`` (a file the manager uploads), the copy goes through
    :func:`~solidaire.documents.validation.validate_upload` and is kept."""
    name, title = _check_signer(name, title)
    copy = None
    if signed_copy is not None:
        copy = validate_upload(signed_copy, allowed=(PDF, JPEG, PNG))
    stored = store(copy, folder=SIGNED_COPIES) if copy is not None else ""
    try:
        with transaction.atomic():
            locked, version = _locked_current(agreement)
            if document.version_id != version.pk:
                raise SigningRefused(
                    _(
                        "This is not the current version of the agreement (version %(n)s); "
                        "read the current version and sign it."
                    )
                    % {"n": version.number}
                )
            if AgreementSignature.objects.filter(
                version=version, party=AgreementSignature.Party.ORGANISATION
            ).exists():
                raise SigningRefused(_("The organisation has already signed this version."))
            if locked.status == Agreement.Status.SIGNED and not locked.amendment_unsigned:
                # Signed before the product kept signatures: in force already.
                raise SigningRefused(
                    _("This version is already in force; nothing is left to sign.")
                )
            signature = AgreementSignature.objects.create(
                version=version,
                document=document,
                party=AgreementSignature.Party.ORGANISATION,
                method=AgreementSignature.Method.COPY if copy else AgreementSignature.Method.ONLINE,
                signer=actor,
                signer_name=name,
                signer_title=title,
                document_sha256=document.sha256,
                copy_stored_name=stored,
                copy_name=copy.name if copy else "",
                copy_content_type=copy.content_type if copy else "",
                copy_sha256=copy.sha256 if copy else "",
            )
            audit_record(
                actor=actor,
                event_type="agreement.signed_by_organisation",
                target=locked,
                new_value=document.sha256,
                data={"version": version.number, "name": name, "title": title},
            )
    except BaseException:
        discard(stored)
        raise
    return signature


def agreement_countersign(
    *, agreement: Agreement, actor: User, name: str, title: str, today: date | None = None
) -> AgreementSignature:
    """The trustee countersigns the document the organisation signed. The
    agreement (or its amended terms) is then in force: its first payment's
    condition is met."""
    name, title = _check_signer(name, title)
    today = today or quebec_today()
    with transaction.atomic():
        locked, version = _locked_current(agreement)
        signatures = {
            s.party: s
            for s in AgreementSignature.objects.filter(version=version).select_related("document")
        }
        organisation = signatures.get(AgreementSignature.Party.ORGANISATION)
        if organisation is None:
            raise SigningRefused(
                _("The organisation signs first; the trustee countersigns after it.")
            )
        if AgreementSignature.Party.TRUSTEE in signatures:
            raise SigningRefused(_("The trustee has already countersigned this version."))
        signature = AgreementSignature.objects.create(
            version=version,
            document=organisation.document,
            party=AgreementSignature.Party.TRUSTEE,
            method=AgreementSignature.Method.ONLINE,
            signer=actor,
            signer_name=name,
            signer_title=title,
            document_sha256=organisation.document_sha256,
        )
        audit_record(
            actor=actor,
            event_type="agreement.countersigned",
            target=locked,
            new_value=organisation.document_sha256,
            data={"version": version.number, "name": name, "title": title},
        )
        if locked.status == Agreement.Status.ISSUED:
            agreement_sign(
                agreement=locked,
                actor=actor,
                signed_on=max(today, locked.issued_on),
                signatory=f"{organisation.signer_name}, {organisation.signer_title}"[:200],
                today=max(today, locked.issued_on),
            )
        if locked.amendment_unsigned:
            locked.amendment_unsigned = False
            locked.save(update_fields=["amendment_unsigned"])
    agreement.refresh_from_db()
    return signature


def organisation_is_manager(user: User, organisation: Organisation | int) -> bool:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return OrganisationMember.objects.filter(
        organisation_id=organisation_id, user=user, role=OrganisationMember.Role.MANAGER
    ).exists()
