"""Selection engine: input validation, semantics on hand-made instances, explanations."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from solidaire.selection.engine import InstanceError, parse_instance, result_to_dict, solve
from solidaire.selection.engine_text import money
from solidaire.selection.tests import oracle

NBSP = "\u00a0"


def base() -> dict[str, Any]:
    return {
        "fiscal_years": ["2020-2021", "2021-2022"],
        "pools": [
            {"id": "local", "amounts": {"2020-2021": "60000.00", "2021-2022": "50000.00"}},
            {"id": "local/2423", "amounts": {"2020-2021": "40000.00", "2021-2022": "30000.00"}},
        ],
        "proposals": [
            {
                "id": "P01",
                "organisation": "O01",
                "score": 82.5,
                "pools": ["local", "local/2423"],
                "requested": {"2020-2021": "25000.00", "2021-2022": "20000.00"},
                "territories": ["2423"],
                "priorities": ["securite-alimentaire"],
            },
            {
                "id": "P02",
                "organisation": "O01",
                "score": 80,
                "pools": ["local"],
                "requested": {"2020-2021": "15000.00", "2021-2022": "20000.00"},
                "territories": ["2415"],
            },
            {
                "id": "P03",
                "organisation": "O03",
                "score": 78,
                "pools": ["local", "local/2423"],
                "requested": {"2020-2021": "30000.00", "2021-2022": "20000.00"},
                "min_fraction": "0.5",
                "territories": ["2423"],
            },
            {
                "id": "P04",
                "organisation": "O04",
                "score": 70,
                "pools": ["local"],
                "requested": {"2020-2021": "10000.00", "2021-2022": "10000.00"},
                "territories": ["2415"],
                "priorities": ["securite-alimentaire"],
            },
            {
                "id": "P05",
                "organisation": "O05",
                "score": 55,
                "pools": ["local"],
                "requested": {"2020-2021": "1000.00"},
            },
        ],
        "rules": {
            "max_per_organisation": 1,
            "min_per_territory": {"2415": 1},
            "min_per_priority": {"securite-alimentaire": 2},
            "min_score": 60,
        },
        "objective": "merit_order",
    }


def solved(data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return result_to_dict(solve(parse_instance(data), **kwargs))


def reasons_of(result: dict[str, Any], pid: str) -> list[str]:
    for entry in result["funded"] + result["not_funded"]:
        if entry["id"] == pid:
            return list(entry.get("reasons", []))
    raise KeyError(pid)


# ----------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda d: d.pop("fiscal_years"), "fiscal_years", "champ obligatoire manquant"),
        (lambda d: d.pop("pools"), "pools", "champ obligatoire manquant"),
        (lambda d: d.pop("proposals"), "proposals", "champ obligatoire manquant"),
        (
            lambda d: d["proposals"][3]["requested"].update({"2020-2021": "-1.00"}),
            "proposals[3].requested.2020-2021",
            "montant négatif",
        ),
        (
            lambda d: d["proposals"][0]["requested"].update({"2019-2020": "1.00"}),
            "proposals[0].requested.2019-2020",
            "exercice financier non déclaré",
        ),
        (
            lambda d: d["pools"][1]["amounts"].update({"2030-2031": "1.00"}),
            "pools[1].amounts.2030-2031",
            "exercice financier non déclaré",
        ),
        (
            lambda d: d["proposals"][1]["pools"].append("regional"),
            "proposals[1].pools[1]",
            "volet inconnu « regional »",
        ),
        (
            lambda d: d["proposals"][2].update({"score": "beaucoup"}),
            "proposals[2].score",
            "score non numérique",
        ),
        (
            lambda d: d["proposals"][2].update({"score": True}),
            "proposals[2].score",
            "score non numérique",
        ),
        (
            lambda d: d["proposals"][2].pop("score"),
            "proposals[2].score",
            "champ obligatoire manquant",
        ),
        (lambda d: d["proposals"][0].pop("id"), "proposals[0].id", "champ obligatoire manquant"),
        (lambda d: d["proposals"][1].update({"id": "P01"}), "proposals[1].id", "en double"),
        (
            lambda d: d["proposals"][0]["requested"].update({"2020-2021": "10.001"}),
            "proposals[0].requested.2020-2021",
            "plus de deux décimales",
        ),
        (
            lambda d: d["proposals"][0]["requested"].update({"2020-2021": "NaN"}),
            "proposals[0].requested.2020-2021",
            "montant non numérique",
        ),
        (
            lambda d: d["proposals"][0].update({"min_fraction": "0"}),
            "proposals[0].min_fraction",
            "plus grande que 0",
        ),
        (
            lambda d: d["proposals"][0].update({"min_fraction": "1.5"}),
            "proposals[0].min_fraction",
            "au plus 1",
        ),
        (
            lambda d: d["proposals"][0].update({"lock": "maybe"}),
            "proposals[0].lock",
            "valeur attendue",
        ),
        (
            lambda d: d["rules"].update({"max_per_organisation": 0}),
            "rules.max_per_organisation",
            "au moins 1",
        ),
        (
            lambda d: d["rules"]["min_per_territory"].update({"2415": "deux"}),
            "rules.min_per_territory.2415",
            "nombre entier",
        ),
        (lambda d: d.update({"objective": "beauty"}), "objective", "objectif inconnu"),
        (lambda d: d["pools"].append({"id": "local"}), "pools[2].id", "en double"),
        (lambda d: d.update({"fiscal_years": "2020-2021"}), "fiscal_years", "liste attendue"),
    ],
)
def test_invalid_input_names_the_field(mutate: Any, field: str, message: str) -> None:
    data = base()
    mutate(data)
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    assert caught.value.field == field
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_optional_fields_have_defaults() -> None:
    data = {
        "fiscal_years": ["2020-2021"],
        "pools": [{"id": "v", "amounts": {"2020-2021": 100}}],
        "proposals": [{"id": "a", "score": "7.5", "pools": ["v"], "requested": {"2020-2021": 60}}],
    }
    inst = parse_instance(data)
    p = inst.proposals[0]
    assert (p.organisation, p.min_fraction, p.lock, p.requested) == ("a", Decimal(1), None, (6000,))
    assert inst.objective == "merit_order"
    assert inst.rules.max_per_organisation is None


# ----------------------------------------------------------------------------- semantics


def test_merit_order_funds_out_of_order_only_for_the_minimum() -> None:
    result = solved(base())
    assert result["status"] == "optimal"
    funded = {f["id"]: f for f in result["funded"]}
    assert set(funded) == {"P01", "P03", "P04"}
    # P03 fits only at half: the local/2423 pool keeps 15 000 $ in 2020-2021.
    assert funded["P03"]["fraction"] == "0.5"
    assert funded["P03"]["amounts"] == {"2020-2021": "15000.00", "2021-2022": "10000.00"}
    assert oracle.check_result(base(), result) == []
    assert "l'organisme a déjà une initiative retenue" in reasons_of(result, "P02")
    assert reasons_of(result, "P05") == ["score inférieur au seuil (60)"]
    assert any(
        "retenue pour respecter le minimum de 1 initiative pour le territoire 2415" in r
        for r in reasons_of(result, "P04")
    )


def test_rank_lists_missed_minimums() -> None:
    data = base()
    data["proposals"][3]["priorities"] = []
    result = solved(data, method="rank")
    assert result["method"] == "rank" and result["bound"] is None
    assert result["status"] == "infeasible"
    assert any("securite-alimentaire" in m for m in result["infeasibility"])


def test_infeasible_minimum_is_explained_in_words() -> None:
    data = base()
    data["rules"]["min_per_territory"] = {"2415": 1, "9999": 1}
    result = solved(data)
    assert result["status"] == "infeasible"
    assert result["funded"] == []
    assert any("territoire 9999" in m and "seulement 0" in m for m in result["infeasibility"])


def test_conflicting_locks_and_budget_are_named() -> None:
    data = base()
    data["rules"] = {"min_per_territory": {"2415": 2}}
    data["proposals"][0]["lock"] = "in"
    data["proposals"][2]["lock"] = "in"
    # P01 + P03 (at 50 %) + P02 + P04 would need 65 000 $ from "local" in 2020-2021.
    result = solved(data, objective="total_score")
    assert result["status"] == "infeasible"
    text = " ".join(result["infeasibility"])
    assert "le minimum de 2 initiatives pour le territoire 2415" in text
    assert "montants disponibles des volets" in text


def test_locked_in_below_min_score_is_infeasible() -> None:
    data = base()
    data["proposals"][4]["lock"] = "in"
    result = solved(data)
    assert result["status"] == "infeasible"
    assert "P05" in result["infeasibility"][0] and "seuil (60)" in result["infeasibility"][0]


def test_objectives_differ_as_documented() -> None:
    data = {
        "fiscal_years": ["2020-2021"],
        "pools": [{"id": "v", "amounts": {"2020-2021": "100000.00"}}],
        "proposals": [
            {"id": "big", "score": 90, "pools": ["v"], "requested": {"2020-2021": "100000.00"}},
            {"id": "s1", "score": 80, "pools": ["v"], "requested": {"2020-2021": "50000.00"}},
            {"id": "s2", "score": 70, "pools": ["v"], "requested": {"2020-2021": "50000.00"}},
        ],
    }
    ids = lambda r: sorted(f["id"] for f in r["funded"])  # noqa: E731
    assert ids(solved(data, objective="merit_order")) == ["big"]
    assert ids(solved(data, objective="score_dollars")) == ["big"]
    total = solved(data, objective="total_score")
    assert ids(total) == ["s1", "s2"] and total["objective"] == 150
    assert any("big" in r for r in reasons_of(total, "s2"))


def test_amounts_are_rounded_down_to_the_cent() -> None:
    data = {
        "fiscal_years": ["A"],
        "pools": [{"id": "v", "amounts": {"A": "100.00"}}],
        "proposals": [
            {
                "id": "p",
                "score": 1,
                "pools": ["v"],
                "requested": {"A": "300.00"},
                "min_fraction": "0.1",
            }
        ],
    }
    result = solved(data, objective="total_score")
    f = result["funded"][0]
    assert Decimal(f["fraction"]) <= Decimal(1) / 3
    assert f["amounts"] == {"A": "99.99"} or f["amounts"] == {"A": "100.00"}
    assert oracle.check_result(data, result) == []


def test_pool_without_money_for_a_year_is_explained() -> None:
    data = {
        "fiscal_years": ["A", "B"],
        "pools": [{"id": "v", "amounts": {"A": "100.00"}}],
        "proposals": [
            {"id": "p", "score": 1, "pools": ["v"], "requested": {"A": "10.00", "B": "5.00"}}
        ],
    }
    result = solved(data)
    assert result["funded"] == []
    assert reasons_of(result, "p") == ["le volet v n'a aucun montant pour B"]


def test_exhausted_pool_reason_gives_the_shortfall() -> None:
    data = base()
    data["rules"] = {}
    data["proposals"] = [copy.deepcopy(data["proposals"][0]) for _ in range(3)]
    for k, p in enumerate(data["proposals"]):
        p["id"], p["organisation"] = f"Q{k}", f"O{k}"
    result = solved(data)
    assert [f["id"] for f in result["funded"]] == ["Q0"]
    assert (
        f"le volet local/2423 2020-2021 est presque épuisé (reste 15{NBSP}000,00{NBSP}$); "
        f"il manquerait 10{NBSP}000,00{NBSP}$" in reasons_of(result, "Q1")
    )


def test_money_is_formatted_the_quebec_way() -> None:
    assert money(1234500) == f"12{NBSP}345,00{NBSP}$"
    assert money(5) == f"0,05{NBSP}$"
    assert money(123456789) == f"1{NBSP}234{NBSP}567,89{NBSP}$"


def test_independent_pools_are_solved_apart_and_exactly() -> None:
    data: dict[str, Any] = {"fiscal_years": ["A"], "pools": [], "proposals": []}
    for k in range(4):
        data["pools"].append({"id": f"v{k}", "amounts": {"A": "100000.00"}})
        for j in range(6):
            data["proposals"].append(
                {
                    "id": f"p{k}{j}",
                    "score": 50 + 7 * j % 11 + k,
                    "pools": [f"v{k}"],
                    "requested": {"A": f"{20000 + 9000 * j}.00"},
                }
            )
    result = solved(data, objective="total_score")
    assert result["status"] == "optimal"
    best = oracle.best_value(
        oracle.plain(data | {"proposals": data["proposals"][:6], "pools": data["pools"][:1]}),
        "total_score",
    )
    assert best is not None
    assert oracle.check_result(data, result) == []


def test_result_json_shape() -> None:
    result = solved(base(), objective="total_score")
    assert set(result) >= {
        "status",
        "method",
        "objective",
        "bound",
        "funded",
        "not_funded",
        "infeasibility",
        "seconds",
    }
    assert all(set(f) >= {"id", "fraction", "amounts"} for f in result["funded"])
    assert all(
        isinstance(v, str) and v.count(".") == 1
        for f in result["funded"]
        for v in f["amounts"].values()
    )


def test_a_time_limit_reached_before_any_bound_reports_no_bound_and_no_gap() -> None:
    """HiGHS stopped by its limit before proving a bound reports an infinite
    one; the result says "unknown" (null), never an infinite gap, and stays
    valid JSON."""
    import json
    import math

    from solidaire.selection.engine import _result
    from solidaire.selection.engine_model import compile_instance
    from solidaire.selection.engine_solve import rank_and_cut

    data: dict[str, Any] = {
        "fiscal_years": ["A"],
        "pools": [{"id": "v", "amounts": {"A": "100000.00"}}],
        "proposals": [
            {"id": f"p{i}", "score": 90 - i, "pools": ["v"], "requested": {"A": "40000.00"}}
            for i in range(4)
        ],
    }
    instance = parse_instance(data)
    comp = compile_instance(instance)
    out = rank_and_cut(comp, tuple(p.id for p in instance.proposals))
    out.status, out.bound = "time_limit", math.inf  # what the solver gives then
    result = result_to_dict(_result(instance, comp, out, "optimal", "total_score", 0.1))
    assert result["status"] == "time_limit"
    assert result["bound"] is None and result["gap"] is None
    json.dumps(result, allow_nan=False)  # no Infinity in the API's JSON


def test_time_limit_status_reports_the_gap() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    years = ["A", "B", "C"]
    data: dict[str, Any] = {
        "fiscal_years": years,
        "pools": [{"id": f"v{k}", "amounts": {y: "400000.00" for y in years}} for k in range(4)],
        "proposals": [
            {
                "id": f"p{i:03d}",
                "score": float(rng.integers(50, 100)),
                "pools": [f"v{i % 4}", f"v{(i * 7) % 4}"],
                "requested": {y: f"{int(rng.integers(5, 60)) * 1000}.00" for y in years},
                "min_fraction": "0.5" if i % 5 == 0 else "1",
            }
            for i in range(300)
        ],
    }
    result = solved(data, objective="total_score", time_limit=0.05)
    assert result["status"] in {"optimal", "time_limit"}
    assert oracle.check_result(data, result) == []
    if result["bound"] is None:
        # Stopped before any bound was proved (the limit is short and the
        # machine may be busy): the gap is unknown, never invented.
        assert result["status"] == "time_limit" and result["gap"] is None
        return
    assert result["bound"] >= result["objective"] - 1e-6
    if result["status"] == "time_limit":
        assert result["gap"] is not None and result["gap"] > 1e-9


def test_partial_funding_rounded_to_the_cent_is_still_proven_optimal() -> None:
    # Found by the property tests: amounts are rounded down to the cent, so a
    # starting solution can exceed the solver's continuous optimum by a hair;
    # the answer is then optimal, with its bound equal to its value.
    data = {
        "fiscal_years": ["2020-2021"],
        "pools": [
            {"id": "V0", "amounts": {"2020-2021": "5000.00"}},
            {"id": "V1", "amounts": {"2020-2021": "10000.00"}},
        ],
        "proposals": [
            {
                "id": "P00",
                "organisation": "O1",
                "score": 50,
                "pools": ["V1"],
                "requested": {"2020-2021": "15000.00"},
                "min_fraction": "0.2",
            },
            {
                "id": "P01",
                "organisation": "O1",
                "score": 50,
                "pools": ["V0"],
                "requested": {"2020-2021": "0.00"},
            },
            {
                "id": "P02",
                "organisation": "O1",
                "score": 60,
                "pools": ["V0", "V1"],
                "requested": {"2020-2021": "15000.00"},
                "min_fraction": "0.2",
            },
        ],
        "objective": "total_score",
    }
    result = result_to_dict(solve(parse_instance(data), time_limit=10))
    assert result["status"] == "optimal"
    assert result["bound"] == result["objective"]
    spent = sum(Decimal(f["amounts"].get("2020-2021", "0")) for f in result["funded"])
    assert spent <= Decimal("15000.00")


def test_the_funded_set_is_the_solvers_best_not_its_starting_point() -> None:
    # Found by the property tests: HiGHS 1.16, given a start and presolving
    # the model away, reported the optimum's value (1 750 000) with the
    # start's vector (P00 + P05, worth 1 500 000). The engine re-solves
    # without the start when the two disagree.
    def proposal(i: int, org: str, pools: list[str], amount: str) -> dict[str, Any]:
        return {
            "id": f"P{i:02d}",
            "organisation": org,
            "score": 50,
            "pools": pools,
            "requested": {"2020-2021": amount},
        }

    data = {
        "fiscal_years": ["2020-2021"],
        "pools": [
            {"id": "V0", "amounts": {"2020-2021": "15000.00"}},
            {"id": "V1", "amounts": {"2020-2021": "15000.00"}},
            {"id": "V2", "amounts": {"2020-2021": "20000.00"}},
        ],
        "proposals": [
            proposal(0, "O1", ["V1"], "15000.00"),
            proposal(5, "O2", ["V2"], "15000.00"),
            proposal(6, "O1", ["V0", "V1"], "5000.00"),
            proposal(7, "O3", ["V0", "V2"], "15000.00"),
            proposal(8, "O2", ["V2"], "5000.00"),
            proposal(11, "O1", ["V0", "V1"], "10000.00"),
        ],
        "rules": {"max_per_organisation": 1},
    }
    result = result_to_dict(solve(parse_instance(data), objective="score_dollars"))
    assert result["status"] == "optimal"
    assert sorted(f["id"] for f in result["funded"]) == ["P00", "P07", "P08"]
    assert result["objective"] == 1750000.0
