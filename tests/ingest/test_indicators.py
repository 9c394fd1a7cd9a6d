"""Indicators as data: the profile names them (label, unit, direction, weight), imports are
validated against it, values are stored as rows, and the status index follows the profile."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geo_service.config import get_settings
from geo_service.errors import InputError, ProfileError
from geo_service.ingest.errors import ImportValidationError
from geo_service.ingest.service import import_file
from geo_service.scoring.districts import indicators_of, refresh
from geo_service.scoring.profile import ScoringProfile, parse_profile

SAMPLE = get_settings().data_dir / "sample"


@pytest.fixture(scope="module")
def raw() -> dict:
    """The shipped profile as a plain mapping."""
    return tomllib.loads(get_settings().profile_path.read_text(encoding="utf-8"))


def other_city(raw: dict) -> ScoringProfile:
    """A city whose plan uses two other indicators, one where higher means less burden."""
    data = copy.deepcopy(raw)
    data["district"]["indicators"] = {
        "transfer_share": {
            "label": "Transferleistungsquote",
            "unit": "%",
            "direction": 1,
            "weight": 2.0,
        },
        "owner_share": {"label": "Eigentümerquote", "unit": "%", "direction": -1, "weight": 1.0},
    }
    return parse_profile(data, "other.toml")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"Residents": {"label": "x", "direction": 1, "weight": 1}},
            "district.indicators.Residents",
        ),
        ({"residents": {"label": "x", "direction": 1, "weight": 1}}, "keiner von district_code"),
        ({"rate": {"direction": 1, "weight": 1}}, "district.indicators.rate.label"),
        (
            {"rate": {"label": "x", "direction": 2, "weight": 1}},
            "district.indicators.rate.direction",
        ),
        (
            {"rate": {"label": "x", "direction": 1, "weight": 1, "min": 5, "max": 1}},
            "min darf nicht größer als max sein",
        ),
    ],
)
def test_indicator_definitions_are_validated(raw: dict, change: dict, expected: str) -> None:
    """Keys are lower-case names, not reserved; label, direction and range are checked."""
    data = copy.deepcopy(raw)
    data["district"]["indicators"] = change
    with pytest.raises(ProfileError, match=expected.replace(".", r"\.")):
        parse_profile(data)


def test_profile_lists_indicators_and_categories(raw: dict) -> None:
    """The one place output reads labels and units from, in profile order."""
    profile = parse_profile(raw)
    first = profile.indicator_list()[0]
    assert (first.key, first.label, first.unit) == ("unemployment_rate", "Arbeitslosenquote", "%")
    assert [i.key for i in profile.indicator_list()][-1] == "refugees_per_1000"
    kita = next(c for c in profile.category_list("amenity") if c.key == "kita")
    assert kita.label == "Kita"
    assert {c.kind for c in profile.category_list("catalogue")} == {"catalogue"}


def write(tmp_path: Path, rows: list[dict]) -> Path:
    """An indicators CSV."""
    path = tmp_path / "indicators.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_other_indicators_are_imported_as_rows(
    sample_engine: Engine, raw: dict, tmp_path: Path
) -> None:
    """A city's own indicators: validated against its profile, stored as rows, extra columns
    reported not refused, the status index computed from them, old ones of that year replaced."""
    profile = other_city(raw)
    codes = pd.read_csv(SAMPLE / "indicators.csv")["district_code"].unique()
    rows = [
        {
            "district_code": c,
            "year": 2025,
            "residents": 1000 + 100 * i,
            "transfer_share": 5 + i % 7,
            "owner_share": 40 - i % 5,
            "stadtteilname": f"name {i}",
        }
        for i, c in enumerate(codes)
    ]
    report = import_file(sample_engine, "indicators", write(tmp_path, rows), profile=profile)
    assert report.written == len(codes) and report.ignored_columns == ["stadtteilname"]
    with sample_engine.begin() as conn:
        keys = conn.execute(
            text("SELECT DISTINCT indicator FROM district_indicator_values WHERE year = 2025")
        ).scalars()
        assert set(keys) == {"transfer_share", "owner_share"}
        latest = indicators_of(conn, codes[0])[-1]
        assert latest.year == 2025
        assert latest.model_extra == {"transfer_share": 5, "owner_share": 40}
        status = refresh(conn, profile).set_index("district_code")
        conn.rollback()
    # weighted mean of oriented z-scores: more transfers, fewer owners = more burden
    frame = pd.DataFrame(rows).set_index("district_code")

    def z(col: str) -> pd.Series:
        return (frame[col] - frame[col].mean()) / frame[col].std(ddof=0)

    expected = (2.0 * z("transfer_share") - 1.0 * z("owner_share")) / 3.0
    assert status["status_index"].sort_index().to_numpy() == pytest.approx(
        expected.sort_index().to_numpy()
    )
    again = [{**r, "transfer_share": 9} for r in rows[:1]]
    import_file(sample_engine, "indicators", write(tmp_path, again), profile=profile)
    with sample_engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(*) FROM district_indicator_values "
                "WHERE district_code = :c AND year = 2025"
            ),
            {"c": codes[0]},
        ).scalar()
    assert n == 2


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.pop("owner_share"), "owner_share: Pflichtspalte fehlt"),
        (lambda r: r.update(transfer_share=140), "transfer_share = „140“: darf höchstens 100 sein"),
        (lambda r: r.update(owner_share="viele"), "owner_share = „viele“: keine Zahl"),
    ],
)
def test_indicator_files_are_checked_against_the_profile(
    sample_engine: Engine,
    raw: dict,
    tmp_path: Path,
    mutate,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    """A missing indicator column, a percentage over 100, text: one line, nothing written."""
    row = {
        "district_code": "LEB",
        "year": 2026,
        "residents": 5,
        "transfer_share": 5,
        "owner_share": 5,
    }
    mutate(row)
    with pytest.raises(ImportValidationError, match=expected):
        import_file(sample_engine, "indicators", write(tmp_path, [row]), profile=other_city(raw))
    with sample_engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM district_indicators WHERE year = 2026")
            ).scalar()
            == 0
        )


def test_scoring_names_a_missing_indicator(sample_engine: Engine, raw: dict) -> None:
    """Scoring under a profile whose indicators the latest year lacks: a clear error."""
    data = copy.deepcopy(raw)
    data["district"]["indicators"]["rent_burden"] = {
        "label": "Mietbelastung",
        "direction": 1,
        "weight": 1,
    }
    with sample_engine.connect() as conn:
        conn.execute(text("DELETE FROM district_indicators WHERE year > 2024"))  # the sample's
        with pytest.raises(
            InputError, match="Stadtteil BAD, 2024: kein Wert für den Indikator „rent_burden“"
        ):
            refresh(conn, parse_profile(data))
        conn.rollback()
