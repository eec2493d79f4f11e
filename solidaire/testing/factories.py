"""factory_boy factories for every app's tests.

A factory builds the smallest valid object; tests say what matters to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from solidaire.accounts.models import User
from solidaire.agreements.models import Agreement, Payment, Report
from solidaire.applications.models import (
    Organisation,
    OrganisationMember,
    Proposal,
    RequestedAmount,
)
from solidaire.calls.models import (
    Allocation,
    Call,
    Criterion,
    EligibilityRule,
    RequiredDocument,
    ScaleLevel,
    Stream,
)
from solidaire.common.fiscal import fiscal_year_bounds, fiscal_year_label
from solidaire.ledger.models import Commitment
from solidaire.programmes.models import (
    FiscalYear,
    Priority,
    Programme,
    ProgrammeRole,
    Region,
    Territory,
    WorkPlan,
)
from solidaire.reviews.models import ConflictDeclaration, Review, Score


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("motdepasse-demo")


def region_03() -> Region:
    return Region.objects.get(code="03")


def territory(code: str = "2423") -> Territory:
    """The reference territories are loaded by a migration; tests reuse them."""
    return Territory.objects.get(code=code)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    region = factory.LazyFunction(region_03)
    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    trustee = "Communauté métropolitaine de Québec"
    starts_on = date(2020, 4, 1)
    ends_on = date(2025, 3, 31)

    @factory.post_generation
    def years(self, create: bool, extracted: list[Decimal] | None, **kwargs: object) -> None:
        """``years=[Decimal(...), ...]``: one fiscal year per amount from the start."""
        if not create or not extracted:
            return
        first = self.starts_on.year if self.starts_on.month >= 4 else self.starts_on.year - 1
        for offset, amount in enumerate(extracted):
            start, end = fiscal_year_bounds(first + offset)
            FiscalYear.objects.create(
                programme=self,
                label=fiscal_year_label(first + offset),
                starts_on=start,
                ends_on=end,
                envelope=amount,
            )


class FiscalYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiscalYear

    programme = factory.SubFactory(ProgrammeFactory)
    label = "2020-2021"
    starts_on = date(2020, 4, 1)
    ends_on = date(2021, 3, 31)
    envelope = Decimal("840000.00")


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    programme = factory.SubFactory(ProgrammeFactory)
    title = "Plan de travail"
    starts_on = date(2018, 4, 1)
    ends_on = date(2023, 3, 31)


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    work_plan = factory.SubFactory(WorkPlanFactory)
    code = factory.Sequence(lambda n: f"priorite-{n}")
    name = factory.Sequence(lambda n: f"Priorité {n}")


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.Role.COORDINATOR


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Appel {n + 1}")
    published = True
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"document-{n + 1}")
    name = factory.Sequence(lambda n: f"Lettre d'appui {n + 1}")
    mandatory = True


class StreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stream

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"volet-{n}")
    name = factory.Sequence(lambda n: f"Volet {n}")


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    stream = factory.SubFactory(StreamFactory)
    territory = None
    fiscal_year = factory.LazyAttribute(lambda a: a.stream.call.programme.fiscal_years.first())
    amount = Decimal("100000.00")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"critere-{n}")
    name = factory.Sequence(lambda n: f"Critère {n}")
    weight = Decimal("25")


class ScaleLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScaleLevel

    call = factory.SubFactory(CallFactory)
    value = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"Niveau {n}")


class EligibilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityRule

    call = factory.SubFactory(CallFactory)
    code = factory.Sequence(lambda n: f"regle-{n}")
    kind = EligibilityRule.Kind.MANUAL
    description = "Règle vérifiée par la coordination"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Organisme communautaire {n}")
    neq = factory.Sequence(lambda n: f"11{n:08d}")
    org_type = Organisation.Type.NONPROFIT
    territory = factory.LazyFunction(territory)


class OrganisationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"P-{n:05d}")
    title = factory.Sequence(lambda n: f"Initiative {n}")
    status = Proposal.Status.DRAFT
    submitted_at = factory.LazyAttribute(
        lambda p: (
            None if p.status == Proposal.Status.DRAFT else datetime(2020, 10, 1, 12, 0, tzinfo=UTC)
        )
    )


class RequestedAmountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestedAmount

    proposal = factory.SubFactory(ProposalFactory)
    fiscal_year = factory.LazyAttribute(lambda r: r.proposal.call.programme.fiscal_years.first())
    amount = Decimal("25000.00")


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory)
    reason = "Membre du conseil d'administration de l'organisme"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    proposal = factory.SubFactory(ProposalFactory)
    evaluator = factory.SubFactory(UserFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory)
    value = 3


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    label = factory.Sequence(lambda n: f"Engagement {n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    proposal = factory.SubFactory(ProposalFactory, status=Proposal.Status.FUNDED)
    number = factory.Sequence(lambda n: f"CAF-{n:04d}")
    issued_on = date(2020, 11, 1)
    ends_on = date(2023, 3, 31)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    agreement = factory.SubFactory(AgreementFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    fiscal_year = factory.LazyAttribute(
        lambda p: p.agreement.proposal.call.programme.fiscal_years.first()
    )
    due_on = date(2020, 12, 1)
    amount = Decimal("10000.00")
    condition = Payment.Condition.SIGNATURE


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    agreement = factory.SubFactory(AgreementFactory)
    kind = Report.Kind.PROGRESS
    fiscal_year = factory.LazyAttribute(
        lambda r: r.agreement.proposal.call.programme.fiscal_years.first()
    )
    due_on = date(2021, 4, 30)


# --- Pages and access tests -------------------------------------------------


def decided_call(programme: Programme, **kwargs: object) -> Call:
    """A published call whose decision is recorded (its results are public)."""
    kwargs.setdefault("opens_at", timezone.now() - timedelta(days=120))
    kwargs.setdefault("closes_at", timezone.now() - timedelta(days=60))
    kwargs.setdefault("decided_at", timezone.now() - timedelta(days=10))
    return CallFactory(programme=programme, **kwargs)


def funded_proposal(
    *, call: Call, amount: Decimal = Decimal("60000.00"), **kwargs: object
) -> Proposal:
    """A funded proposal whose award is committed in the ledger, in the
    programme's first fiscal year, through the ledger service."""
    from solidaire.ledger.services import commitment_create, ledger_commit

    kwargs.setdefault("status", Proposal.Status.FUNDED)
    proposal = ProposalFactory(call=call, **kwargs)
    fiscal_year = call.programme.fiscal_years.order_by("starts_on").first()
    RequestedAmountFactory(proposal=proposal, fiscal_year=fiscal_year, amount=amount)
    commitment = commitment_create(
        programme=call.programme,
        reference=f"E-{proposal.reference}",
        label=proposal.title,
        call=call,
    )
    ledger_commit(commitment=commitment, amounts={fiscal_year: amount}, actor=None)
    Proposal.objects.filter(pk=proposal.pk).update(commitment=commitment)
    proposal.commitment = commitment
    return proposal
