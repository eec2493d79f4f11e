"""Build the Capitale-Nationale demo: plan it in memory, then write it
through the services so that every invariant of the real system holds
(workflow, audit, ledger locks, the engine's decision).

The first call must end exactly as the press release says: 69 proposals,
20 organisations retained, 1 200 000,00 $. The plan guarantees it rather than
hoping for it: reviews are drawn first (seeded), which ranks the proposals;
then the retained ones are the best-scored of each pool (stream or
territorial sub-envelope), their requests are drawn so that each stream's
retained total is exact, and each pool's allocation is set to exactly what
its retained proposals ask, fiscal year by fiscal year. Every pool is then
exhausted by its best proposals, so the engine in merit order retains those
and nothing else fits. The build checks the engine's result against the plan
and the ledger's figures against the press release, and fails loudly if
either differs.
"""

from __future__ import annotations

import functools
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from pypdf import PdfWriter

from solidaire.accounts.models import User
from solidaire.agreements.documents import DEFAULT_TEXTS, agreement_template_save
from solidaire.agreements.models import Payment, Report
from solidaire.agreements.reports import (
    ReportDraft,
    report_budget_lines,
    report_due_change,
    report_review,
    report_save_draft,
    report_submit,
)
from solidaire.agreements.services import agreement_issue, agreement_sign, payment_record
from solidaire.applications.attachments import attachment_put
from solidaire.applications.budget import BudgetRow
from solidaire.applications.models import Organisation, OrganisationMember, Proposal
from solidaire.applications.services import (
    proposal_create_draft,
    proposal_submit,
    proposal_update_draft,
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
from solidaire.committee.services import meeting_for_call, panel_give, panel_questions_set
from solidaire.common.fiscal import (
    fiscal_today,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_start,
    quebec_today,
)
from solidaire.common.money import ZERO
from solidaire.common.templatetags.solidaire import date as date_filter
from solidaire.demo import data, english
from solidaire.ledger.selectors import calls_figures, programme_balances
from solidaire.ledger.services import carry_over_record
from solidaire.programmes.models import (
    FiscalYear,
    Priority,
    Programme,
    ProgrammeRole,
    Region,
    Territory,
    WorkPlan,
)
from solidaire.reviews.models import Review, Tie
from solidaire.reviews.scoring import summarise
from solidaire.reviews.services import (
    conflict_declare,
    eligibility_record,
    review_assign,
    review_submit,
)
from solidaire.reviews.ties import knowledge_save, tie_record
from solidaire.selection.models import Award, Scenario
from solidaire.selection.services import decision_adopt, scenario_create, scenario_solve

DEFAULT_SEED = 2020
# The seed's "present": autumn 2020, call 1 decided and call 2 open.
SEED_YEAR = 2020
# Index, among the programme's five fiscal years, of the first one call 1 funds (2020-2021).
CALL1_FIRST_YEAR = 2
R = ProgrammeRole.Role


class DemoError(Exception):
    """The demo did not come out as the press release says."""


@dataclass
class PlannedProposal:
    index: int
    stream: str
    territory: str  # the organisation's territory (its sub-envelope in the local stream)
    title: str
    eligible: bool = True
    failed_rule: str = ""
    failed_reason: str = ""
    quality: float = 3.0
    evaluators: list[int] = field(default_factory=list)  # the three who score
    recused: int | None = None  # who declared a conflict
    reviews: list[dict[int, int]] = field(default_factory=list)  # criterion index → value
    score: Decimal = Decimal(0)
    retained: bool = False
    years: int = 3
    amounts: list[Decimal] = field(default_factory=list)  # per fiscal year from 2020-2021
    organisation: int = -1
    territories: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)


@dataclass
class DemoSummary:
    programme: Programme
    call1: Call
    call2: Call
    accounts: list[tuple[str, str]]
    committed: Decimal
    organisations_funded: int
    proposals_received: int
    second: SecondSummary | None = None


@dataclass
class SecondSummary:
    """The second programme: another region, one decided call."""

    programme: Programme
    call: Call
    accounts: list[tuple[str, str]]
    committed: Decimal
    organisations_funded: int
    proposals_received: int


# --------------------------------------------------------------------- the plan


def _weights() -> dict[int, Decimal]:
    return {k: weight for k, (_c, _n, _d, weight) in enumerate(data.CRITERIA)}


def _score(reviews: list[dict[int, int]]) -> Decimal:
    return summarise(reviews=reviews, weights=_weights(), max_scale=data.SCALE[-1][0]).mean


# The evaluator's comment on a score at either end of the scale, which the
# scoring rules require (in French, the demo's evaluators' language).
_EXTREME_COMMENTS = {
    data.SCALE[0][0]: "Élément absent de la demande.",
    data.SCALE[-1][0]: "Démonstration exemplaire, avec des exemples concrets.",
}


def _explained(scores: dict[str, int]) -> dict[str, int | tuple[int | None, str]]:
    """Scores with a comment on each extreme value."""
    return {
        code: (value, _EXTREME_COMMENTS[value]) if value in _EXTREME_COMMENTS else value
        for code, value in scores.items()
    }


def _split(total: int, years: int, rng: random.Random) -> list[Decimal]:
    """A multi-year request: a little more in the first years, in round hundreds."""
    shares = [0.38, 0.34, 0.28] if years == 3 else [0.55, 0.45]
    parts = []
    for share in shares[:-1]:
        amount = int(total * (share + rng.uniform(-0.04, 0.04)) / 100) * 100
        parts.append(amount)
    parts.append(total - sum(parts))
    return [Decimal(p).quantize(Decimal("0.01")) for p in parts]


def _retained_totals(stream: str, count: int, rng: random.Random) -> list[int]:
    """``count`` totals (whole dollars, mostly round) adding up to the stream's share."""
    target = int(data.CALL1_STREAM_TOTALS[stream])
    low, high, last_low, last_high = data.CALL1_WINNER_RANGE[stream]
    for _attempt in range(1000):
        totals = [rng.randrange(low, high + 1, 500) for _ in range(count - 1)]
        last = target - sum(totals)
        if last_low <= last <= last_high:
            return [*totals, last]
    raise DemoError(f"cannot split {target} over {count} initiatives")


def plan_call1(rng: random.Random, n_evaluators: int) -> list[PlannedProposal]:
    """The 69 proposals of call 1, their reviews, who is retained, what each asks."""
    plan: list[PlannedProposal] = []
    for stream, territory, received, _retained in data.CALL1_LAYOUT:
        for _k in range(received):
            if stream == "local":
                where, theme = territory or "2423", rng.choice(data.THEMES)
            elif stream == "regional":
                where, theme = "2423", rng.choice(data.REGIONAL_THEMES)
            else:
                # Wendake is one small community: its local organisations are enough.
                where = rng.choice([code for code in data.PLACES if code != "2423802"])
                theme = rng.choice(data.DEVELOPMENT_THEMES)
            plan.append(
                PlannedProposal(index=len(plan), stream=stream, territory=where, title=theme)
            )
    # Three proposals of Québec's local stream fail screening.
    quebec = [p for p in plan if p.stream == "local" and p.territory == "2423"]
    for p, (rule, reason) in zip(
        rng.sample(quebec, 3),
        [
            ("documents", "La résolution du conseil d'administration n'est pas jointe."),
            ("documents", "Les lettres d'appui des partenaires sont absentes."),
            ("type-organisme", "L'organisme est une entreprise à but lucratif."),
        ],
        strict=True,
    ):
        p.eligible, p.failed_rule, p.failed_reason = False, rule, reason
    n_criteria = len(data.CRITERIA)
    top = data.SCALE[-1][0]
    for p in plan:
        if not p.eligible:
            continue
        p.quality = rng.uniform(1.6, 4.7)
        chosen = rng.sample(range(n_evaluators), 4)
        p.evaluators = chosen[:3]
        p.reviews = [
            {c: max(0, min(top, round(p.quality + rng.gauss(0, 0.7)))) for c in range(n_criteria)}
            for _e in range(3)
        ]
        p.score = _score(p.reviews)
        p.years = 3 if rng.random() < 0.6 else 2
    # A few evaluators declare a conflict: recused, replaced by a fourth.
    for p in rng.sample([p for p in plan if p.eligible], 6):
        p.recused = p.evaluators[0]
        p.evaluators = [
            *p.evaluators[1:],
            rng.choice([e for e in range(n_evaluators) if e not in p.evaluators]),
        ]
    # Retained: the best of each pool, with a strict gap to the next one so
    # that no tie-break decides who gets the money.
    for stream, territory, _received, retained in data.CALL1_LAYOUT:
        group = [
            p
            for p in plan
            if p.eligible and p.stream == stream and (territory is None or p.territory == territory)
        ]
        while True:
            group.sort(key=lambda p: (-p.score, p.index))
            if len(group) <= retained or group[retained - 1].score > group[retained].score:
                break
            tied = group[retained]
            review = tied.reviews[0]
            criterion = max(review, key=lambda c: (review[c], -c))
            review[criterion] -= 1
            tied.score = _score(tied.reviews)
        for p in group[:retained]:
            p.retained = True
    # Requests: retained ones add up to each stream's share; others anywhere
    # in the call's range.
    for stream in data.CALL1_STREAM_TOTALS:
        winners = [p for p in plan if p.stream == stream and p.retained]
        for p, total in zip(winners, _retained_totals(stream, len(winners), rng), strict=True):
            p.amounts = _split(total, p.years, rng)
        low, high = data.CALL1_OTHER_RANGE[stream]
        for p in plan:
            if p.stream == stream and not p.retained:
                p.years = p.years if p.eligible else 2
                p.amounts = _split(rng.randrange(low, high + 1, 500), p.years, rng)
    codes = [code for code, *_rest in data.PRIORITIES]
    for p in plan:
        p.priorities = sorted(rng.sample(codes, rng.choice([1, 1, 2])))
        if p.stream == "regional":
            p.territories = sorted(rng.sample(list(data.PLACES), rng.randint(3, 6)))
        elif p.stream == "developpement-communautes":
            p.territories = [p.territory]
        else:
            p.territories = [p.territory]
    return plan


# --------------------------------------------------------------------- the build


class _Clock:
    """The seed's dates, shifted by a whole number of years."""

    def __init__(self, shift: int) -> None:
        self.shift = shift

    def day(self, year: int, month: int, day: int) -> date:
        return date(year + self.shift, month, day)

    def at(self, year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime(year + self.shift, month, day, hour, minute))


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(f, last) for f in data.FIRST_NAMES for last in data.LAST_NAMES]
    return rng.sample(pairs, count)


def demo_load(
    *,
    historical: bool = False,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> DemoSummary:
    """Load the demo in one transaction and return its figures."""
    today = today or timezone.localdate()
    shift = 0 if historical else fiscal_year_start(today) - SEED_YEAR
    # The ledger judges which fiscal years have ended against the story's
    # present: today, or autumn 2020 when the seed's real dates are kept.
    present = _Clock(shift).day(2020, 10, 15) if historical else today
    with transaction.atomic(), fiscal_today(present):
        summary = _build(
            rng=random.Random(seed), clock=_Clock(shift), historical=historical, log=log
        )
        # Its own random stream: the first programme comes out the same with or without it.
        summary.second = _build_second(rng=random.Random(seed + 12), clock=_Clock(shift), log=log)
        summary.accounts += summary.second.accounts
    return summary


def _build(
    *, rng: random.Random, clock: _Clock, historical: bool, log: Callable[[str], None]
) -> DemoSummary:
    region = Region.objects.get(code="03")
    territories = {t.code: t for t in Territory.objects.filter(region=region)}
    password = make_password(data.DEMO_PASSWORD)

    # People ------------------------------------------------------------
    named = _people(rng, 40)
    people = iter(named)

    def person(username: str, **extra: object) -> User:
        first, last = next(people)
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password,
            **extra,
        )

    accounts = {
        "coordination": person("coordination"),
        "evaluation": person("evaluation"),
        "fiduciaire": person("fiduciaire"),
        "organisme": person("organisme"),
        "ministere": person("ministere", is_ministry_observer=True),
        "admin": person("admin", is_staff=True, is_superuser=True),
    }
    committee = [person(f"comite{n:02d}") for n in range(1, 21)]
    User.objects.bulk_create([*accounts.values(), *committee])
    accounts = {u.username: u for u in User.objects.filter(username__in=list(accounts))}
    committee = list(User.objects.filter(username__startswith="comite").order_by("username"))
    coordinator, fiduciaire = accounts["coordination"], accounts["fiduciaire"]
    # Verified addresses: the demo accounts also sign in by e-mail.
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True)
        for u in [*accounts.values(), *committee]
    )

    # Programme ---------------------------------------------------------
    first = data.FIRST_FISCAL_YEAR + clock.shift
    programme, years = _programme(
        region=region,
        name=data.PROGRAMME_NAME,
        slug=data.PROGRAMME_SLUG,
        trustee=data.TRUSTEE,
        first=first,
        envelopes=data.YEAR_ENVELOPES,
    )
    work_plan = WorkPlan.objects.create(
        programme=programme,
        title=f"Plan de travail {first}-{first + 5}",
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        summary=(
            "Rédigé par le comité régional des Alliances pour la solidarité avec les "
            "MRC, la Ville de Québec et la Nation huronne-wendat."
        ),
    )
    Priority.objects.bulk_create(
        [
            Priority(
                work_plan=work_plan,
                code=code,
                name=name,
                name_en=english.PRIORITIES[code][0],
                description=text,
                description_en=english.PRIORITIES[code][1],
                order=k,
            )
            for k, (code, name, text) in enumerate(data.PRIORITIES, start=1)
        ]
    )
    priorities = {p.code: p for p in work_plan.priorities.all()}
    sectors = list(data.COMMITTEE_AFFILIATIONS)
    roles = [
        ProgrammeRole(
            programme=programme,
            user=member,
            role=R.COMMITTEE,
            sector=sectors[k % 4],
            affiliation=data.COMMITTEE_AFFILIATIONS[sectors[k % 4]][k // 4],
        )
        for k, member in enumerate(committee)
    ]
    # Eight committee members (two per sector) and the demo evaluator score proposals.
    evaluators = [*committee[:8], accounts["evaluation"]]
    roles += [
        ProgrammeRole(programme=programme, user=e, role=R.EVALUATOR, sector=r.sector)
        for e, r in zip(committee[:8], roles[:8], strict=True)
    ]
    roles += [
        ProgrammeRole(programme=programme, user=coordinator, role=R.COORDINATOR),
        ProgrammeRole(
            programme=programme,
            user=accounts["evaluation"],
            role=R.EVALUATOR,
            sector=ProgrammeRole.Sector.COMMUNITY,
            affiliation="Comité d'évaluation",
        ),
        ProgrammeRole(
            programme=programme,
            user=fiduciaire,
            role=R.TRUSTEE_FINANCE,
            affiliation=data.TRUSTEE,
        ),
    ]
    ProgrammeRole.objects.bulk_create(roles)
    log("programme, envelope, work plan and committee")

    # Call 1 --------------------------------------------------------------
    call1 = _call(
        programme=programme,
        number=1,
        title="Premier appel d'initiatives",
        opens_at=clock.at(2019, 10, 1, 9),
        closes_at=clock.at(2019, 11, 29, 16),
        latest_end_on=clock.day(2023, 3, 31),
    )
    streams = {s.code: s for s in call1.streams.all()}
    plan = plan_call1(rng, len(evaluators))
    call1_years = years[CALL1_FIRST_YEAR:]
    _allocate(plan=plan, streams=streams, territories=territories, years=call1_years)

    organisations = _organisations(plan=plan, territories=territories, rng=rng)
    applicant_org = organisations[
        next(
            p for p in plan if p.retained and p.stream == "local" and p.territory == "2434"
        ).organisation
    ]
    OrganisationMember.objects.create(
        organisation=applicant_org,
        user=accounts["organisme"],
        title="Coordonnatrice",
        role=OrganisationMember.Role.MANAGER,
    )

    criteria = [c.pk for c in call1.criteria.order_by("order")]
    codes = {c.pk: c.code for c in call1.criteria.all()}
    rules = [r.code for r in call1.eligibility_rules.all()]
    proposals: dict[int, Proposal] = {}
    submitted = sorted(
        (clock.at(2019, 10, 1, 9) + timedelta(minutes=rng.randrange(60, 58 * 24 * 60)), p.index)
        for p in plan
    )
    when = {index: at for at, index in submitted}
    for p in plan:
        proposal = proposal_create_draft(
            call=call1,
            organisation=organisations[p.organisation],
            actor=None,
            fields=_fields(p, streams[p.stream], clock, rng),
            requested={fy: a for fy, a in zip(call1_years, p.amounts, strict=False)},
            territories=[territories[code] for code in p.territories],
            priorities=[priorities[code] for code in p.priorities],
            now=when[p.index],
        )
        _attach_required_documents(proposal)
        proposals[p.index] = proposal_submit(
            attested=True, proposal=proposal, actor=None, now=when[p.index]
        )
    log("call 1: 69 proposals submitted")

    for p in plan:
        results = {code: (True, "") for code in rules}
        if not p.eligible:
            results[p.failed_rule] = (False, p.failed_reason)
        eligibility_record(proposal=proposals[p.index], results=results, actor=coordinator)
    for p in plan:
        if not p.eligible:
            continue
        proposal = proposals[p.index]
        if p.recused is not None:
            review_assign(proposal=proposal, evaluator=evaluators[p.recused], actor=coordinator)
            conflict_declare(
                proposal=proposal,
                user=evaluators[p.recused],
                reason="Siège au conseil d'administration de l'organisme.",
            )
        for e, values in zip(p.evaluators, p.reviews, strict=True):
            review = review_assign(proposal=proposal, evaluator=evaluators[e], actor=coordinator)
            review_submit(
                review=review,
                scores=_explained({codes[criteria[c]]: v for c, v in values.items()}),
                actor=evaluators[e],
                now=clock.at(2020, 1, 10 + e, 15),
            )
    log("call 1: eligibility and evaluations")

    # The decision, produced by the engine ----------------------------------
    scenario_solve(
        scenario=scenario_create(
            call=call1,
            name="Liste par rang (méthode du tableur)",
            actor=coordinator,
            method=Scenario.Method.RANK,
            rules={"max_per_organisation": 1},
        ),
        now=clock.at(2020, 2, 12, 10),
    )
    adopted = scenario_solve(
        scenario=scenario_create(
            call=call1,
            name="Ordre de mérite — scénario adopté",
            actor=coordinator,
            method=Scenario.Method.OPTIMAL,
            objective=Scenario.Objective.MERIT_ORDER,
            rules={"max_per_organisation": 1},
        ),
        now=clock.at(2020, 2, 12, 10, 5),
    )
    expected = sorted(proposals[p.index].reference for p in plan if p.retained)
    chosen = sorted(item["id"] for item in (adopted.result or {}).get("funded", []))
    if chosen != expected:
        raise DemoError(f"the engine retained {chosen}, the plan expected {expected}")
    decision_adopt(
        scenario=adopted,
        actor=coordinator,
        resolution_number=f"CR-{2020 + clock.shift}-02-07",
        now=clock.at(2020, 2, 20, 19),
        notify=False,  # the letters of a past decision are not sent again
    )
    log("call 1: decision adopted from the engine's scenario")

    # Agreements and payments ------------------------------------------------
    funded = list(
        Proposal.objects.filter(call=call1, award__isnull=False)
        .select_related("organisation", "commitment")
        .order_by("reference")
    )
    # Three agreements still await their signatures, the demo organisation's
    # among them: its manager signs it in its space, then the trustee countersigns.
    others = {p.pk for p in funded if p.organisation_id != applicant_org.pk}
    unsigned = set(sorted(others)[-2:]) | {
        p.pk for p in funded if p.organisation_id == applicant_org.pk
    }
    agreement_template_save(
        programme=programme,
        texts={
            **{name: french for name, (french, _en) in DEFAULT_TEXTS.items()},
            **{f"{name}_en": english for name, (_fr, english) in DEFAULT_TEXTS.items()},
        },
        actor=coordinator,
    )
    for k, proposal in enumerate(funded):
        agreement = agreement_issue(
            proposal=proposal, actor=fiduciaire, issued_on=clock.day(2020, 3, 2)
        )
        if proposal.pk in unsigned:
            continue
        agreement_sign(
            agreement=agreement,
            actor=fiduciaire,
            signed_on=clock.day(2020, 3, 9 + k),
            signatory=f"Direction générale, {proposal.organisation.legal_name}"[:200],
        )
        # The first instalment of most signed agreements is paid on the
        # first day of the fiscal year it belongs to; three are still pending.
        if k % 6 != 5:
            first_payment = agreement.payments.get(sequence=1)
            payment_record(
                payment=first_payment, actor=fiduciaire, paid_on=call1_years[0].starts_on
            )
    log("call 1: agreements, schedules and first payments")

    # The years before call 1's ended with their envelopes uncommitted: part
    # of the second one's is carried over to the current year, the rest lapsed.
    carry_over_record(
        programme=programme,
        source=years[CALL1_FIRST_YEAR - 1],
        target=years[CALL1_FIRST_YEAR],
        amount=data.CARRY_OVER_AMOUNT,
        reason=data.CARRY_OVER_REASON,
        authorisation=data.CARRY_OVER_AUTHORISATION,
        actor=coordinator,
    )
    log("carry-over of an ended fiscal year")

    # Call 2, open now ----------------------------------------------------------
    if historical:
        now = clock.at(2020, 10, 15, 12)
        opens_at, closes_at = clock.at(2020, 9, 14, 9), clock.at(2020, 11, 13, 16)
    else:
        now = timezone.now()
        local_today = timezone.localdate()
        opens_at = timezone.make_aware(
            datetime.combine(local_today - timedelta(days=21), datetime.min.time()).replace(hour=9)
        )
        closes_at = timezone.make_aware(
            datetime.combine(local_today + timedelta(days=28), datetime.min.time()).replace(hour=16)
        )
    call2 = _call(
        programme=programme,
        number=2,
        title="Deuxième appel d'initiatives",
        opens_at=opens_at,
        closes_at=closes_at,
        latest_end_on=clock.day(2023, 3, 31),
    )
    call2_years = years[CALL1_FIRST_YEAR + 1 :]
    call2_streams = {s.code: s for s in call2.streams.all()}
    not_retained = [p for p in plan if p.eligible and not p.retained and p.stream == "local"]
    call2_rules = [r.code for r in call2.eligibility_rules.all()]
    for k, p in enumerate(rng.sample(not_retained, 5)):
        q = PlannedProposal(
            index=k, stream="local", territory=p.territory, title=rng.choice(data.THEMES), years=2
        )
        q.amounts = _split(rng.randrange(20_000, 80_001, 500), 2, rng)
        draft = proposal_create_draft(
            call=call2,
            organisation=organisations[p.organisation],
            actor=None,
            fields=_fields(q, call2_streams["local"], clock, rng, first_year=2021),
            requested=dict(zip(call2_years, q.amounts, strict=False)),
            territories=[territories[p.territory]],
            priorities=[priorities[rng.choice(list(priorities))]],
            now=opens_at + timedelta(days=1 + k),
        )
        _attach_required_documents(draft)
        proposal = proposal_submit(
            attested=True, proposal=draft, actor=None, now=opens_at + timedelta(days=1 + k, hours=3)
        )
        eligibility_record(
            proposal=proposal, results={code: (True, "") for code in call2_rules}, actor=coordinator
        )
        review_assign(proposal=proposal, evaluator=accounts["evaluation"], actor=coordinator)
        review_assign(proposal=proposal, evaluator=evaluators[k], actor=coordinator)
        if k == 0:
            tied_organisation = proposal.organisation
    # A committee member who evaluates sits on the board of an applicant of
    # call 2: the tie keeps that proposal away from her without a declaration.
    tie_record(
        person=evaluators[5],
        programme=programme,
        kind=Tie.Kind.BOARD,
        neq=tied_organisation.neq,
        starts_on=clock.day(2017, 6, 1),
        actor=evaluators[5],
    )
    # The evaluators say which territories they know: the automatic
    # assignment prefers them for the proposals serving those territories.
    known = sorted(territories.values(), key=lambda t: t.code)
    for k, reader in enumerate(evaluators):
        knowledge_save(person=reader, programme=programme, territories=[known[k % len(known)]])
    log("ties and territories known")
    draft_plan = PlannedProposal(
        index=0, stream="local", territory="2434", title="Épicerie solidaire itinérante", years=2
    )
    draft_plan.amounts = [Decimal("24000.00"), Decimal("21000.00")]
    proposal_create_draft(
        call=call2,
        organisation=applicant_org,
        actor=accounts["organisme"],
        fields=_fields(draft_plan, call2_streams["local"], clock, rng, first_year=2021),
        requested=dict(zip(call2_years, draft_plan.amounts, strict=False)),
        territories=[territories["2434"]],
        priorities=[priorities["biens-services-proximite"]],
        now=now,
    )
    proposal_create_draft(
        call=call2,
        organisation=applicant_org,
        actor=accounts["organisme"],
        fields={"title": "Comité de citoyennes et citoyens de Saint-Raymond"},
        now=now,
    )
    log("call 2: open, with submitted proposals and drafts")

    # The committee's meeting on call 2 and its panel of people living in
    # poverty: the panellist has the call's proposals under review to give
    # an opinion on, once they have given their consent on their first visit.
    meeting = meeting_for_call(call2)
    meeting.reviews_due_on = timezone.localtime(closes_at).date() + timedelta(days=14)
    meeting.held_on = timezone.localtime(closes_at).date() + timedelta(days=21)
    meeting.tie_break_rule = data.TIE_BREAK_RULE
    meeting.save()
    panellist = User.objects.create(
        username="panel",
        first_name="Lucie",
        last_name="Gagnon",
        email="panel@example.org",
        password=password,
    )
    EmailAddress.objects.create(user=panellist, email=panellist.email, primary=True, verified=True)
    ProgrammeRole.objects.create(programme=programme, user=panellist, role=R.PANELLIST)
    panel_questions_set(call=call2, questions=data.PANEL_QUESTIONS, actor=coordinator)
    panel_give(
        proposals=list(Proposal.objects.filter(call=call2, status=Proposal.Status.UNDER_REVIEW)),
        panellist=panellist,
        actor=coordinator,
    )
    log("call 2: meeting planned, panel questions asked")

    return _check(programme=programme, call1=call1, call2=call2, now=now, accounts=accounts)


def _build_second(
    *, rng: random.Random, clock: _Clock, log: Callable[[str], None]
) -> SecondSummary:
    """Chaudière-Appalaches: a smaller programme whose first call is decided,
    built through the same services as the first one."""
    region = Region.objects.get(code=data.SECOND_REGION)
    for code, name, kind, population in data.SECOND_TERRITORIES:
        Territory.objects.update_or_create(
            code=code,
            defaults={"region": region, "name": name, "kind": kind, "population": population},
        )
    territories = {t.code: t for t in Territory.objects.filter(region=region)}
    password = make_password(data.DEMO_PASSWORD)
    people = iter(_people(rng, 8))

    def person(username: str) -> User:
        first, last = next(people)
        return User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password,
        )

    coordinator, evaluator, fiduciaire, applicant = (
        person(name) for name in ("coordination2", "evaluation2", "fiduciaire2", "organisme2")
    )
    committee = [person(f"comite2-{n:02d}") for n in range(1, 4)]
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True)
        for u in [coordinator, evaluator, fiduciaire, applicant, *committee]
    )

    first = data.FIRST_FISCAL_YEAR + clock.shift
    programme, years = _programme(
        region=region,
        name=data.SECOND_PROGRAMME_NAME,
        slug=data.SECOND_PROGRAMME_SLUG,
        trustee=data.SECOND_TRUSTEE,
        first=first,
        envelopes=data.SECOND_YEAR_ENVELOPES,
    )
    work_plan = WorkPlan.objects.create(
        programme=programme,
        title=f"Plan de travail {first}-{first + 5}",
        starts_on=programme.starts_on,
        ends_on=programme.ends_on,
        summary="Rédigé par le comité régional avec les MRC de la Chaudière-Appalaches.",
    )
    Priority.objects.bulk_create(
        [
            Priority(work_plan=work_plan, code=code, name=name, description=text, order=k)
            for k, (code, name, text) in enumerate(data.PRIORITIES, start=1)
        ]
    )
    priorities = list(work_plan.priorities.order_by("order"))
    sectors = list(data.COMMITTEE_AFFILIATIONS)
    evaluators = [evaluator, *committee]
    ProgrammeRole.objects.bulk_create(
        [
            ProgrammeRole(programme=programme, user=coordinator, role=R.COORDINATOR),
            ProgrammeRole(
                programme=programme,
                user=fiduciaire,
                role=R.TRUSTEE_FINANCE,
                affiliation=data.SECOND_TRUSTEE,
            ),
            *(
                ProgrammeRole(programme=programme, user=e, role=R.EVALUATOR, sector=sectors[k])
                for k, e in enumerate(evaluators)
            ),
            *(
                ProgrammeRole(programme=programme, user=m, role=R.COMMITTEE, sector=sectors[k])
                for k, m in enumerate(committee)
            ),
        ]
    )
    log("second programme: envelope, work plan and committee")

    # Its call 1 was decided a year before the first programme's: its
    # initiatives are in their second year, the first year's progress reports
    # are in, and one organisation still owes its own.
    call = _call(
        programme=programme,
        number=1,
        title="Premier appel d'initiatives",
        opens_at=clock.at(2018, 11, 5, 9),
        closes_at=clock.at(2019, 1, 18, 16),
        latest_end_on=clock.day(2021, 3, 31),
        streams=data.SECOND_STREAMS,
        rules=data.SECOND_ELIGIBILITY_RULES,
    )
    streams = {s.code: s for s in call.streams.all()}
    call_years = years[CALL1_FIRST_YEAR - 1 : CALL1_FIRST_YEAR + 1]
    Allocation.objects.bulk_create(
        [
            Allocation(stream=streams[code], fiscal_year=year, amount=amount)
            for code, amounts in data.SECOND_ALLOCATIONS.items()
            for year, amount in zip(call_years, amounts, strict=True)
        ]
    )
    Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=name,
                neq=f"118{k:07d}",
                org_type=Organisation.Type.NONPROFIT if eligible else Organisation.Type.OTHER,
                territory=territories[territory],
                address=f"{rng.randint(10, 2400)}, rue Principale",
                email=f"info{k}@chaudiere-appalaches.example.org",
                phone=f"418 555-{rng.randint(1000, 9999)}",
            )
            for k, (name, territory, _s, _t, eligible) in enumerate(data.SECOND_PROPOSALS, 1)
        ]
    )
    organisations = list(Organisation.objects.filter(neq__startswith="118").order_by("neq"))
    OrganisationMember.objects.create(
        organisation=organisations[0],
        user=applicant,
        title="Coordonnateur",
        role=OrganisationMember.Role.MANAGER,
    )

    codes = [c.code for c in call.criteria.order_by("order")]
    rules = [r.code for r in call.eligibility_rules.all()]
    top = data.SCALE[-1][0]
    with fiscal_today(clock.day(2019, 3, 4)):
        for k, (_name, territory, stream, title, eligible) in enumerate(data.SECOND_PROPOSALS):
            plan = PlannedProposal(
                index=k, stream=stream, territory=territory, title=title, years=2
            )
            low, high = (40_000, 70_000) if stream == "regional" else (25_000, 60_000)
            plan.amounts = _split(rng.randrange(low, high + 1, 500), 2, rng)
            fields = _fields(plan, streams[stream], clock, rng, first_year=2019)
            fields["partners"] = (
                "CISSS de Chaudière-Appalaches, municipalités, organismes du milieu."
            )
            submitted_at = clock.at(2018, 11, 12 + k, 10)
            draft = proposal_create_draft(
                call=call,
                organisation=organisations[k],
                actor=None,
                fields=fields,
                requested=dict(zip(call_years, plan.amounts, strict=True)),
                territories=[territories[territory]],
                priorities=[priorities[k % len(priorities)]],
                now=submitted_at,
            )
            proposal_update_draft(
                proposal=draft,
                actor=None,
                budget=_budget_rows(plan.amounts, Decimal(str(fields["total_cost"])), call_years),
            )
            _attach_required_documents(draft)
            proposal = proposal_submit(attested=True, proposal=draft, actor=None, now=submitted_at)
            results = {code: (True, "") for code in rules}
            if not eligible:
                results["type-organisme"] = (
                    False,
                    "L'organisme est une entreprise à but lucratif.",
                )
            eligibility_record(proposal=proposal, results=results, actor=coordinator)
            if not eligible:
                continue
            quality = rng.uniform(1.8, 4.6)
            for e in (k % len(evaluators), (k + 1) % len(evaluators)):
                review = review_assign(
                    proposal=proposal, evaluator=evaluators[e], actor=coordinator
                )
                review_submit(
                    review=review,
                    scores=_explained(
                        {c: max(0, min(top, round(quality + rng.gauss(0, 0.6)))) for c in codes}
                    ),
                    actor=evaluators[e],
                    now=clock.at(2019, 2, 4 + e, 15),
                )
        log("second programme: proposals submitted, screened and reviewed")

        adopted = scenario_solve(
            scenario=scenario_create(
                call=call,
                name="Ordre de mérite — scénario adopté",
                actor=coordinator,
                method=Scenario.Method.OPTIMAL,
                objective=Scenario.Objective.MERIT_ORDER,
                rules={"max_per_organisation": 1},
            ),
            now=clock.at(2019, 2, 25, 10),
        )
        decision_adopt(
            scenario=adopted,
            actor=coordinator,
            resolution_number=f"CRCA-{2019 + clock.shift}-03-04",
            now=clock.at(2019, 3, 4, 19),
            notify=False,
        )
    funded = list(
        Proposal.objects.filter(call=call, award__isnull=False)
        .select_related("organisation")
        .order_by("reference")
    )
    agreements = []
    with fiscal_today(clock.day(2019, 3, 29)):
        for k, proposal in enumerate(funded):
            agreement = agreement_issue(
                proposal=proposal, actor=fiduciaire, issued_on=clock.day(2019, 3, 18)
            )
            agreement_sign(
                agreement=agreement,
                actor=fiduciaire,
                signed_on=clock.day(2019, 3, 20 + k),
                signatory=f"Direction générale, {proposal.organisation.legal_name}"[:200],
            )
            agreements.append(agreement)
    for agreement in agreements:
        payment = agreement.payments.get(sequence=1)
        with fiscal_today(payment.due_on):
            payment_record(payment=payment, actor=fiduciaire, paid_on=payment.due_on)
    log("second programme: call 1 decided, agreements signed, first payments")

    # The first year's progress reports: all in, approved and followed by the
    # second year's instalment, but the demo organisation's, whose due date
    # the coordination moved at its request; its draft is under way.
    for k, agreement in enumerate(agreements):
        report = agreement.reports.get(kind=Report.Kind.PROGRESS, fiscal_year=call_years[0])
        if agreement.proposal.organisation_id == organisations[0].pk:
            report_save_draft(
                report=report,
                actor=applicant,
                draft=ReportDraft(
                    indicators={"people_reached": 140, "activities_held": 36},
                    narrative=(
                        "Les cuisines collectives ont repris chaque semaine depuis avril; "
                        "le bilan des repas partagés est à compléter."
                    ),
                ),
            )
            report_due_change(
                report=report,
                actor=coordinator,
                due_on=min(quebec_today() + timedelta(days=21), call_years[1].ends_on),
            )
            continue
        _report_first_year(
            report=report,
            reached=rng.randrange(60, 400),
            submitted_on=clock.day(2020, 4, 14 + k),
            coordinator=coordinator,
            approved_on=clock.day(2020, 5, 4),
        )
        payment = agreement.payments.get(condition=Payment.Condition.PROGRESS_REPORT)
        with fiscal_today(payment.due_on):
            payment_record(payment=payment, actor=fiduciaire, paid_on=payment.due_on)
    log("second programme: first-year progress reports and second instalments")

    figures = calls_figures([call])[call.pk]
    awards = Award.objects.filter(decision__call=call)
    organisations_funded = awards.values("proposal__organisation").distinct().count()
    envelope = sum((y.envelope for y in years), ZERO)
    if not funded or figures.committed <= ZERO or envelope != data.SECOND_ENVELOPE_TOTAL:
        raise DemoError(
            f"the second programme funded {len(funded)} proposals for {figures.committed}"
        )
    return SecondSummary(
        programme=programme,
        call=call,
        accounts=[
            ("coordination2", "coordination du programme de la Chaudière-Appalaches"),
            ("evaluation2", "évaluation (Chaudière-Appalaches)"),
            ("fiduciaire2", "fiduciaire — finances (Chaudière-Appalaches)"),
            ("organisme2", f"organisme demandeur ({organisations[0]})"),
        ],
        committed=figures.committed,
        organisations_funded=organisations_funded,
        proposals_received=Proposal.objects.filter(call=call).count(),
    )


# How the demo's budgets share a year's costs among categories, in percent;
# administration takes what is left.
BUDGET_SHARES = (
    ("salaries", "Animation et coordination", 55),
    ("activities", "Ateliers et sorties", 25),
    ("materials", "Matériel et denrées", 12),
)


def _budget_rows(
    requested: Sequence[Decimal], total_cost: Decimal, years: Sequence[FiscalYear]
) -> list[BudgetRow]:
    """Budget rows whose grand total is ``total_cost``, each year's costs
    in proportion to what it requests (so never below it), split among
    categories in whole dollars."""
    asked = sum(requested, ZERO)
    costs = [(total_cost * amount / asked).quantize(Decimal("1")) for amount in requested]
    costs[-1] = total_cost - sum(costs[:-1], ZERO)
    rows = [BudgetRow(category=c, description=d) for c, d, _share in BUDGET_SHARES]
    rows.append(BudgetRow(category="administration", description="Frais de gestion"))
    for year, cost in zip(years, costs, strict=True):
        shares = [(cost * share / 100).quantize(Decimal("1")) for _c, _d, share in BUDGET_SHARES]
        for row, amount in zip(rows, [*shares, cost - sum(shares, ZERO)], strict=True):
            row.amounts[year.pk] = amount
    return rows


def _report_first_year(
    *,
    report: Report,
    reached: int,
    submitted_on: date,
    coordinator: User,
    approved_on: date,
) -> None:
    """A first-year progress report written, submitted and approved: most of
    each budget line spent, through the same services as the organisations'."""
    lines = list(report_budget_lines(report))
    spent = {line.pk: (line.amount * Decimal("0.92")).quantize(Decimal("1")) for line in lines}
    report_save_draft(
        report=report,
        actor=None,
        draft=ReportDraft(
            indicators={
                "people_reached": reached,
                "poverty_planning": reached // 10,
                "poverty_action": reached // 4,
                "poverty_evaluation": reached // 12,
                "partners_mobilised": 4 + reached % 5,
                "activities_held": 20 + reached % 30,
            },
            narrative=(
                "Première année : les activités prévues ont eu lieu, avec un comité de "
                "personnes concernées qui a participé à leur planification et à leur bilan."
            ),
            spent=sum(spent.values(), ZERO),
            lines=dict(spent),
        ),
    )
    report_submit(report=report, actor=None, today=submitted_on)
    report_review(report=report, actor=coordinator, approve=True, today=approved_on)


@functools.cache
def _placeholder_pdf(title: str) -> bytes:
    """A one-page PDF standing for a document the demo cannot have."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _attach_required_documents(proposal: Proposal) -> None:
    """Submitted proposals carry the call's mandatory documents; the demo's
    are placeholders, sent through the same upload path as anyone's."""
    for document in proposal.call.required_documents.filter(mandatory=True).order_by("id"):
        file = io.BytesIO(_placeholder_pdf(document.name))
        file.name = f"{document.code}.pdf"
        attachment_put(proposal=proposal, document=document, file=file, actor=None)


def _programme(
    *,
    region: Region,
    name: str,
    slug: str,
    trustee: str,
    first: int,
    envelopes: Sequence[Decimal],
) -> tuple[Programme, list[FiscalYear]]:
    """A programme with one fiscal year per envelope from ``first`` on."""
    programme = Programme.objects.create(
        region=region,
        name=name,
        slug=slug,
        trustee=trustee,
        funder=data.FUNDER,
        starts_on=fiscal_year_bounds(first)[0],
        ends_on=fiscal_year_bounds(first + len(envelopes) - 1)[1],
    )
    FiscalYear.objects.bulk_create(
        [
            FiscalYear(
                programme=programme,
                label=fiscal_year_label(first + k),
                starts_on=fiscal_year_bounds(first + k)[0],
                ends_on=fiscal_year_bounds(first + k)[1],
                envelope=amount,
            )
            for k, amount in enumerate(envelopes)
        ]
    )
    return programme, list(programme.fiscal_years.order_by("starts_on"))


def _call(
    *,
    programme: Programme,
    number: int,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    latest_end_on: date,
    streams: list[tuple[str, str, str, bool]] = data.STREAMS,
    rules: list[tuple[str, str, str]] = data.ELIGIBILITY_RULES,
) -> Call:
    call = Call.objects.create(
        programme=programme,
        number=number,
        title=title,
        description=(
            "Appel d'initiatives locales et régionales de lutte contre la pauvreté et "
            "l'exclusion sociale, en réponse aux priorités du plan de travail."
        ),
        published=True,
        opens_at=opens_at,
        closes_at=closes_at,
        min_request=Decimal("10000.00"),
        max_request=Decimal("150000.00"),
        max_share_of_expenses=Decimal("90"),
        max_duration_months=36,
        latest_end_on=latest_end_on,
    )
    Stream.objects.bulk_create(
        [
            Stream(
                call=call,
                code=code,
                name=name,
                name_en=english.STREAMS.get(code, ""),
                scope=scope,
                territorial=territorial,
            )
            for code, name, scope, territorial in streams
        ]
    )
    Criterion.objects.bulk_create(
        [
            Criterion(
                call=call,
                code=code,
                name=name,
                name_en=english.CRITERIA[code][0],
                description=text,
                description_en=english.CRITERIA[code][1],
                weight=weight,
                order=k,
            )
            for k, (code, name, text, weight) in enumerate(data.CRITERIA, start=1)
        ]
    )
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(
                call=call,
                value=v,
                label=label,
                label_en=english.SCALE[v][0],
                descriptor=d,
                descriptor_en=english.SCALE[v][1],
            )
            for v, label, d in data.SCALE
        ]
    )
    # The duration rule says the date its check reads: the demo's dates move
    # with its clock, so a date written once in the data would drift from it.
    with translation.override("fr"):
        ends_fr = date_filter(latest_end_on, "j F Y")
    with translation.override("en"):
        ends_en = date_filter(latest_end_on, "j F Y")
    worded = {
        "duration": (
            f"L'initiative dure au plus 36 mois et se termine au plus tard le {ends_fr}.",
            f"The initiative lasts at most 36 months and ends by {ends_en} at the latest.",
        )
    }
    EligibilityRule.objects.bulk_create(
        [
            EligibilityRule(
                call=call,
                code=code,
                kind=kind,
                description=worded.get(kind, (text, ""))[0],
                description_en=worded.get(kind, ("", english.ELIGIBILITY_RULES.get(code, "")))[1],
                order=k,
            )
            for k, (code, kind, text) in enumerate(rules, start=1)
        ]
    )
    RequiredDocument.objects.bulk_create(
        [
            RequiredDocument(
                call=call,
                code=code,
                name=name,
                name_en=english.REQUIRED_DOCUMENTS[code],
                mandatory=mandatory,
            )
            for code, name, mandatory in data.REQUIRED_DOCUMENTS
        ]
    )
    return call


def _allocate(
    *,
    plan: list[PlannedProposal],
    streams: dict[str, Stream],
    territories: dict[str, Territory],
    years: list[FiscalYear],
) -> None:
    """Each pool gets, per fiscal year, exactly what its retained proposals ask."""
    pools: dict[tuple[str, str | None, int], Decimal] = {}
    for p in plan:
        if not p.retained:
            continue
        where = p.territory if streams[p.stream].territorial else None
        for k, amount in enumerate(p.amounts):
            key = (p.stream, where, k)
            pools[key] = pools.get(key, ZERO) + amount
    Allocation.objects.bulk_create(
        [
            Allocation(
                stream=streams[stream],
                territory=territories[where] if where else None,
                fiscal_year=years[k],
                amount=amount,
            )
            for (stream, where, k), amount in sorted(
                pools.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2])
            )
        ]
    )


def _organisations(
    *, plan: list[PlannedProposal], territories: dict[str, Territory], rng: random.Random
) -> list[Organisation]:
    """One organisation per proposal, except five organisations that also
    submitted a second, weaker proposal to the community-development stream."""
    names: set[str] = set()
    rows: list[Organisation] = []
    regional = iter(data.REGIONAL_ORGANISATIONS)

    def add(name: str, territory: str, org_type: str) -> int:
        names.add(name)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        rows.append(
            Organisation(
                legal_name=name,
                neq=f"114{len(rows) + 1:07d}",
                org_type=org_type,
                territory=territories[territory],
                address=f"{rng.randint(10, 2400)}, rue Principale",
                email=f"info@{slug}.example.org",
                phone=f"418 555-{rng.randint(1000, 9999)}",
            )
        )
        return len(rows) - 1

    def local_name(territory: str, kinds: list[str]) -> str:
        for _attempt in range(500):
            name = f"{rng.choice(kinds)} {rng.choice(data.PLACES[territory])}"
            if name not in names:
                return name
        raise DemoError(f"no more organisation names for {territory}")

    second_proposals = rng.sample(
        [p for p in plan if p.stream == "developpement-communautes" and not p.retained], 5
    )
    for p in plan:
        if p in second_proposals:
            continue
        org_type = Organisation.Type.NONPROFIT
        if p.failed_rule == "type-organisme":
            name, org_type = "Services-conseils Solidarité Québec inc.", Organisation.Type.OTHER
        elif p.stream == "regional":
            name = next(regional)
            if name.startswith("Centre de recherche"):
                org_type = Organisation.Type.RESEARCH
        elif p.stream == "developpement-communautes":
            name = local_name(p.territory, data.DEVELOPMENT_ORGANISATIONS)
            if name.startswith("Coopérative"):
                org_type = Organisation.Type.COOPERATIVE
        else:
            name = local_name(p.territory, data.ORGANISATION_KINDS)
        p.organisation = add(name, p.territory, org_type)
    local = [p for p in plan if p.stream == "local" and p.eligible]
    for p, other in zip(second_proposals, rng.sample(local, 5), strict=True):
        p.organisation = other.organisation
        p.territory = other.territory
        p.territories = [other.territory]
    Organisation.objects.bulk_create(rows)
    return list(Organisation.objects.filter(neq__in=[o.neq for o in rows]).order_by("neq"))


def _fields(
    p: PlannedProposal,
    stream: Stream,
    clock: _Clock,
    rng: random.Random,
    first_year: int = 2020,
) -> dict[str, object]:
    total = sum(p.amounts, ZERO)
    share = Decimal(rng.choice([60, 65, 70, 75, 80, 85]))
    return {
        "title": p.title,
        "summary": (
            f"{p.title} : une initiative conçue avec les personnes concernées pour agir sur "
            "les causes de la pauvreté et de l'exclusion sociale dans le milieu."
        ),
        "scope": "regional" if p.stream == "regional" else "local",
        "stream": stream,
        "poverty_participation": (
            "Un comité de personnes en situation de pauvreté participe à la conception, "
            "à l'animation et à l'évaluation des activités; leur participation est reconnue."
        ),
        "partners": "CIUSSS de la Capitale-Nationale, municipalité, organismes du milieu.",
        "starts_on": clock.day(first_year, 4, 1),
        "ends_on": clock.day(first_year + p.years, 3, 31),
        "total_cost": (total * 100 / share).quantize(Decimal("1")),
    }


def _check(
    *,
    programme: Programme,
    call1: Call,
    call2: Call,
    now: datetime,
    accounts: dict[str, User],
) -> DemoSummary:
    """Fail loudly unless the demo says what the press release says."""
    figures = calls_figures([call1, call2])
    balances = programme_balances(programme)
    received = Proposal.objects.filter(call=call1).exclude(status=Proposal.Status.DRAFT).count()
    awards = Award.objects.filter(decision__call=call1)
    organisations = awards.values("proposal__organisation").distinct().count()
    envelope = sum((b.envelope for b in balances), ZERO)
    problems = []
    if received != data.CALL1_RECEIVED:
        problems.append(f"call 1 received {received} proposals, not {data.CALL1_RECEIVED}")
    if organisations != data.CALL1_FUNDED_ORGANISATIONS or awards.count() != organisations:
        problems.append(f"call 1 funded {organisations} organisations")
    if figures[call1.pk].committed != data.CALL1_TOTAL:
        problems.append(f"call 1 committed {figures[call1.pk].committed}, not {data.CALL1_TOTAL}")
    if envelope != data.ENVELOPE_TOTAL or len(balances) != len(data.YEAR_ENVELOPES):
        problems.append(f"the envelope is {envelope} over {len(balances)} fiscal years")
    # What remains in open years (an ended year's balance lapsed or was carried over).
    left = sum((b.available for b in balances if not b.ended), ZERO)
    if figures[call2.pk].available != left:
        problems.append(f"call 2 has {figures[call2.pk].available} available, the ledger {left}")
    if any(b.available != ZERO for b in balances if b.ended):
        problems.append("an ended fiscal year still shows money available")
    if not call2.is_open_at(now):
        problems.append("call 2 is not open")
    if (
        Review.objects.filter(
            evaluator=accounts["evaluation"], proposal__call=call2, status=Review.Status.ASSIGNED
        ).count()
        == 0
    ):
        problems.append("the demo evaluator has no review to do")
    if not Payment.objects.filter(
        agreement__proposal__call=call1, status=Payment.Status.PAID
    ).exists():
        problems.append("no payment was made")
    if problems:
        raise DemoError("; ".join(problems))
    return DemoSummary(
        programme=programme,
        call1=call1,
        call2=call2,
        accounts=[
            ("coordination", "coordination du programme"),
            ("evaluation", "évaluation des propositions"),
            ("panel", "panel de personnes en situation de pauvreté"),
            ("fiduciaire", "fiduciaire — finances"),
            ("organisme", f"organisme demandeur ({accounts['organisme'].organisations.get()})"),
            ("ministere", "observation ministérielle (lecture seule)"),
            ("admin", "administration du site"),
        ],
        committed=figures[call1.pk].committed,
        organisations_funded=organisations,
        proposals_received=received,
    )
