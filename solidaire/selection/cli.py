"""``solidaire-select solve INSTANCE.json`` — the selection engine from a shell.

Standard output holds the result JSON alone: while the engine runs, file
descriptor 1 is pointed at standard error, so nothing a native library prints
can reach it. Exit status: 0 when a result is produced (whatever its status),
2 on invalid input, with a one-line message naming the field on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from .engine_types import METHODS, OBJECTIVES, InstanceError, Method, Objective


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send fd 1 (and ``sys.stdout``) to stderr for the duration."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solidaire-select", description="Sélection des initiatives (moteur HiGHS)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="résoudre une instance JSON et écrire le résultat JSON")
    solve.add_argument("instance", help="fichier JSON de l'instance ('-' pour l'entrée standard)")
    solve.add_argument("--method", choices=METHODS, default="optimal")
    solve.add_argument("--objective", choices=OBJECTIVES, default=None)
    solve.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS")
    return parser


def _fail(message: str) -> int:
    print(f"solidaire-select: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        return _fail("--time-limit: doit être positif")
    try:
        if args.instance == "-":
            raw = sys.stdin.read()
        else:
            with open(args.instance, encoding="utf-8") as fh:
                raw = fh.read()
    except OSError as exc:
        return _fail(f"{args.instance}: {exc.strerror}")
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _fail(f"{args.instance}: JSON invalide (ligne {exc.lineno}, colonne {exc.colno})")

    with _stdout_to_stderr():
        # Imported here so that importing highspy cannot write to stdout either.
        from .engine import parse_instance, result_to_dict, solve

        try:
            instance = parse_instance(data)
        except InstanceError as exc:
            return _fail(f"{exc.field}: {exc.message}")
        result = solve(
            instance,
            method=cast(Method, args.method),
            objective=cast(Objective | None, args.objective),
            time_limit=args.time_limit,
        )
        text = json.dumps(result_to_dict(result), ensure_ascii=False, indent=2) + "\n"
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
