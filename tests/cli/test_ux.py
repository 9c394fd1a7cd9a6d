"""The CLI as a clerk uses it: fast help, JSON for every listing, tables that fit 80 columns
with a legend, the vocabularies, and a database URL that psql accepts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from geo_service.cli.common import column_widths
from geo_service.config import get_settings
from geo_service.scoring.districts import list_status

HEAVY = ("pandas", "numpy", "sqlalchemy", "fastapi", "geopandas", "scipy", "folium", "pydantic")
HOUSEHOLD = '{"size": 4, "children_ages": [3, 8], "languages": ["ar"], "move_in": "2026-12-01"}'
BATCH = get_settings().data_dir / "sample" / "households" / "plentiful.json"
PSQL = Path(get_settings().pg_bin) / "psql"


@pytest.fixture(scope="module")
def sample_database_name(scored_sample_database_name: str) -> str:
    """This module works on a copy of the scored sample (scored once per run)."""
    return scored_sample_database_name


@pytest.fixture(scope="module")
def env(sample_database_url: str) -> dict[str, str]:
    """Environment of CLI runs against this module's scored sample, 80 columns wide."""
    return {**os.environ, "DATABASE_URL": sample_database_url, "COLUMNS": "80"}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `geo-service ARGS`; fail with its stderr when it exits non-zero."""
    proc = subprocess.run(
        [sys.executable, "-m", "geo_service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_help_loads_no_heavy_library() -> None:
    """The command tree imports typer and rich only; services load when a command runs."""
    probe = f"import sys, geo_service.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    helped = subprocess.run(
        [sys.executable, "-m", "geo_service", "--help"], capture_output=True, text=True, check=True
    )
    assert "vocab" in helped.stdout and "districts" in helped.stdout


def test_listing_commands_print_the_api_shapes(env: dict[str, str], sample_engine: Engine) -> None:
    """--json on every listing: the same fields as the HTTP API's answers."""
    districts = json.loads(cli(env, "districts", "--json").stdout)
    with sample_engine.connect() as conn:
        public = [d.model_dump(mode="json") for d in list_status(conn, 3)]
    assert districts == {"items": public}
    coverage = json.loads(
        cli(env, "coverage", "--language", "ar", "--category", "counselling", "--json").stdout
    )
    assert coverage["radius_m"] == 2000 and {r["language"] for r in coverage["items"]} == {"ar"}
    assert json.loads(cli(env, "offer-duplicates", "--json").stdout) == {"items": []}
    offers = json.loads(cli(env, "offers", "--near", "F-0001", "--language", "ar", "--json").stdout)
    assert offers and {"id", "distance_m", "match"} <= set(offers[0])
    ranked = json.loads(cli(env, "rank", "--household", HOUSEHOLD, "--top", "3", "--json").stdout)
    assert [r["rank"] for r in ranked["results"]] == [1, 2, 3]
    assert "categories" in ranked["results"][0] and ranked["considered"] > 0
    vocab = json.loads(cli(env, "vocab", "--json").stdout)
    assert "barrier_free" in {n["name"] for n in vocab["needs"]} and "ar" in vocab["languages"]
    run = json.loads(
        cli(env, "allocate", "--households", str(BATCH), "--method", "greedy", "--json").stdout
    )
    assert run["placed"] + run["unplaced"] == 40 and {"name", "placed"} <= set(run["districts"][0])


@pytest.mark.parametrize(
    "args",
    [
        ("districts",),
        ("rank", "--household", HOUSEHOLD),
        ("coverage",),
        ("offers", "--near", "F-0001", "--language", "ar"),
        ("vocab",),
        ("allocate", "--households", str(BATCH), "--method", "greedy"),
    ],
    ids=lambda a: a[0],
)
def test_tables_fit_80_columns_with_a_legend(env: dict[str, str], args: tuple[str, ...]) -> None:
    """Nothing is cut off (no '…') and no line is wider than 80 columns; symbols explained."""
    out = cli(env, *args).stdout
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    if args[0] in ("districts", "rank"):
        assert "B: Stadtteilfaktor" in out
    if args[0] == "coverage":
        assert "LÜCKE:" in out and "Versorgung im Umkreis von 2 km" in out


def test_tables_are_german_by_default_english_on_request(env: dict[str, str]) -> None:
    """The districts table: German title, headers, legend and decimal commas by default; the
    same in English with --lang en."""
    german = cli(env, "districts").stdout
    assert german.startswith("Stadtteile (erfundene Beispieldaten)")
    assert "Kürzel" in german and "Kap.: Kapazität des Planungszeitraums" in german
    assert re.search(r"\b\d,\d\d\b", german) and not re.search(r"\b\d\.\d\d\b", german)
    english = cli(env, "--lang", "en", "districts").stdout
    assert english.startswith("Districts (illustrative sample data)")
    assert "cap: capacity of the planning period" in english and "B: district factor" in english
    assert re.search(r"\b\d\.\d\d\b", english)


def test_db_url_for_libpq_clients(env: dict[str, str]) -> None:
    """`db url --libpq` has no '+psycopg', and psql connects with it."""
    plain = cli(env, "db", "url").stdout.strip().splitlines()[-1]
    libpq = cli(env, "db", "url", "--libpq").stdout.strip().splitlines()[-1]
    assert "+psycopg" in plain and libpq.startswith("postgresql://") and "+" not in libpq
    answer = subprocess.run(
        [str(PSQL), libpq, "-tAc", "SELECT count(*) FROM flats"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "900"


def test_a_table_too_wide_for_whole_words_prints_one_block_a_row(env: dict[str, str]) -> None:
    """At 80 columns `apikey list` cannot show its eight columns without breaking words
    ("Partnerorga" / "nisation"), so each key is a block of labelled lines; the waiting list,
    whose long ids may fold, stays a table."""
    cli(env, "apikey", "create", "--role", "partner", "--organisation", "vhs", "--name", "Kurse")
    keys = cli(env, "apikey", "list").stdout
    assert re.search(r"^Rolle +Partnerorganisation *$", keys, re.M), keys
    assert re.search(r"^Organisation +vhs *$", keys, re.M)
    assert max(len(line) for line in keys.splitlines()) <= 80
    waiting = cli(env, "waiting-list", "list").stdout
    assert re.search(r"^ Kennung +Stand +aufgenommen", waiting, re.M), waiting
    assert max(len(line) for line in waiting.splitlines()) <= 80


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=20)
CELL = st.lists(WORD, max_size=6).map(" ".join)


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=1, max_size=8)
    ),
    st.integers(20, 160),
)
def test_columns_fit_the_width_and_never_break_a_word(rows: list[list[str]], space: int) -> None:
    """Every column is at least as wide as its longest word and at most as its longest cell, and
    the table fits; no widths (one block a row) only when the words alone cannot fit."""
    widths = column_widths(rows, space)
    columns = list(zip(*rows, strict=True))
    words = [max(len(w) for cell in column for w in [*cell.split(), ""]) for column in columns]
    cells = [max(len(cell) for cell in column) for column in columns]
    overhead = 3 * (len(columns) - 1) + 2
    if widths is None:
        assert sum(words) + overhead > space
        return
    assert all(w <= width <= c for w, width, c in zip(words, widths, cells, strict=True))
    assert sum(widths) + overhead <= space
    assert sum(widths) + overhead == space or widths == cells
