"""The ``solidaire-select`` console script, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from solidaire.selection.tests.test_engine import base


def run_cli(tmp_path: Path, data: Any, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "solidaire.selection.cli", "solve", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_stdout_holds_the_result_json_alone(tmp_path: Path) -> None:
    done = run_cli(tmp_path, base(), "--objective", "total_score", "--time-limit", "5")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # fails on any banner or log line
    assert result["status"] == "optimal" and result["method"] == "optimal"
    assert "HiGHS" not in done.stdout


def test_rank_method_and_objective_override(tmp_path: Path) -> None:
    done = run_cli(tmp_path, base(), "--method", "rank", "--objective", "score_dollars")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["method"] == "rank" and result["objective_function"] == "score_dollars"


def test_infeasible_instance_still_exits_zero(tmp_path: Path) -> None:
    data = base()
    data["rules"]["min_per_territory"] = {"nowhere": 1}
    done = run_cli(tmp_path, data)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "infeasible" and result["infeasibility"]


def test_invalid_input_exits_two_naming_the_field(tmp_path: Path) -> None:
    data = base()
    data["proposals"][3]["requested"]["2020-2021"] = "-5.00"
    done = run_cli(tmp_path, data)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "solidaire-select: proposals[3].requested.2020-2021: montant négatif"
    ]


def test_malformed_json_exits_two(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "{not json")
    assert done.returncode == 2 and done.stdout == ""
    assert "JSON invalide" in done.stderr
