"""Reproducible selection instances for the engine benchmark (seeded).

- W1: the demo's call 1 itself, as the application builds its instance
  (``bench/data/w1-demo-call1.json``, written by ``bench/export_demo_instance.py``).
- W1-gen: generated, shaped like the demo's call 1 (69 proposals, 3 streams,
  7 territorial sub-envelopes, 5 fiscal years, one initiative per
  organisation, 20 % partial funding).
- W500 / W3: 500 / 10 000 proposals, 5 fiscal years, 8 territories, 3 streams
  (the local one split into territorial sub-envelopes), territory and priority
  minimums, 20 % of proposals accepting partial funding.

``python bench/selection_instances.py W500 > w500.json`` writes one instance.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

YEARS = ["2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"]
CN_TERRITORIES = {  # Capitale-Nationale, 2021 census
    "2415": 15_409,
    "2416": 13_371,
    "2420": 6_817,
    "2421": 30_240,
    "2422": 47_813,
    "2423": 588_777,
    "2434": 55_523,
}
DEMO_CALL1 = Path(__file__).resolve().parent / "data" / "w1-demo-call1.json"
PRIORITIES = ["conditions-de-vie", "inclusion", "biens-essentiels", "pouvoir-d-agir"]


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def generate(
    n: int,
    *,
    seed: int,
    territories: dict[str, int],
    streams: dict[str, float],
    budget_ratio: float,
    partial_share: float,
    territory_min: int,
    priority_min: int,
) -> dict[str, Any]:
    """``streams`` maps a stream id to its share of the proposals; "local" is split by territory."""
    rng = np.random.default_rng(seed)
    terr = list(territories)
    pop = np.array([territories[t] for t in terr], dtype=float)
    # Territories are drawn with a damped population weight so small ones exist.
    weight = np.sqrt(pop) / np.sqrt(pop).sum()
    stream_ids = list(streams)
    stream_p = np.array([streams[s] for s in stream_ids])
    proposals = []
    demand: dict[tuple[str, int], int] = {}
    n_orgs = max(1, int(n * 0.9))
    for i in range(n):
        stream = str(rng.choice(stream_ids, p=stream_p / stream_p.sum()))
        t = str(rng.choice(terr, p=weight))
        length = int(rng.integers(1, 4))
        first = int(rng.integers(0, len(YEARS) - length + 1))
        yearly = int(rng.lognormal(np.log(25_000), 0.5) // 10 * 10) * 100  # cents, to 10 $
        requested = {}
        for y in range(first, first + length):
            amount = int(yearly * rng.uniform(0.8, 1.2)) // 1000 * 1000
            requested[YEARS[y]] = _money(amount)
        pools = [stream] + ([f"local/{t}"] if stream == "local" else [])
        for p in pools:
            for fy, a in requested.items():
                k = (p, YEARS.index(fy))
                demand[k] = demand.get(k, 0) + round(float(a) * 100)
        proposal: dict[str, Any] = {
            "id": f"P{i + 1:05d}",
            "organisation": f"O{int(rng.integers(1, n_orgs + 1)):05d}",
            "score": float(np.clip(np.round(rng.normal(72, 9) * 2) / 2, 40, 100)),
            "pools": pools,
            "requested": requested,
            "territories": [t],
            "priorities": sorted(
                {str(x) for x in rng.choice(PRIORITIES, size=int(rng.integers(1, 3)))}
            ),
            "lock": None,
        }
        if rng.random() < partial_share:
            proposal["min_fraction"] = str(rng.choice(["0.5", "0.6", "0.75", "0.8"]))
        proposals.append(proposal)
    pool_ids = stream_ids + [f"local/{t}" for t in terr]
    pools = []
    for p in pool_ids:
        ratio = budget_ratio * (1.25 if p.startswith("local/") else 1.0)
        amounts = {
            fy: _money(int(demand.get((p, y), 0) * ratio * rng.uniform(0.85, 1.15)) // 100 * 100)
            for y, fy in enumerate(YEARS)
        }
        pools.append({"id": p, "amounts": amounts})
    return {
        "fiscal_years": YEARS,
        "pools": pools,
        "proposals": proposals,
        "rules": {
            "max_per_organisation": 1,
            "min_per_territory": {t: territory_min for t in terr},
            "min_per_priority": {p: priority_min for p in PRIORITIES},
            "min_score": 50,
        },
        "objective": "total_score",
    }


def workload(name: str, seed: int = 1) -> dict[str, Any]:
    if name == "W1":
        data: dict[str, Any] = json.loads(DEMO_CALL1.read_text())
        return data
    if name == "W1-gen":
        return generate(
            69,
            seed=seed,
            territories=CN_TERRITORIES,
            streams={"local": 0.65, "developpement": 0.25, "regional": 0.10},
            budget_ratio=0.35,
            partial_share=0.2,
            territory_min=1,
            priority_min=2,
        )
    eight = dict(CN_TERRITORIES) | {"2400": 20_000}
    if name == "W500":
        return generate(
            500,
            seed=seed,
            territories=eight,
            streams={"local": 0.6, "developpement": 0.25, "regional": 0.15},
            budget_ratio=0.35,
            partial_share=0.2,
            territory_min=3,
            priority_min=10,
        )
    if name == "W3":
        return generate(
            10_000,
            seed=seed,
            territories=eight,
            streams={"local": 0.6, "developpement": 0.25, "regional": 0.15},
            budget_ratio=0.35,
            partial_share=0.2,
            territory_min=20,
            priority_min=100,
        )
    raise ValueError(name)


if __name__ == "__main__":
    json.dump(workload(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1), sys.stdout)
