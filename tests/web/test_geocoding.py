"""The local geocoder over the city's own OSM addresses, checked against GDAL's independent
reading of the same PBF: every address found where GDAL puts it, spellings and typos, the
nearest number said so, a street name that occurs twice told apart by its postcode."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pyogrio
import pytest
from pyproj import Geod
from sqlalchemy import Engine, func, select

from geo_service.config import Settings
from geo_service.db import models
from geo_service.geocoding import parse, search, street_key
from geo_service.ingest.addresses import import_addresses
from geo_service.ingest.errors import ImportValidationError
from geo_service.scoring.profile import load_profile

PBF = Settings().data_dir / "sample" / "network.osm.pbf"
TAG = re.compile(r'"(addr:[a-z]+)"=>"([^"]*)"')
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def gdal_addresses() -> pd.DataFrame:
    """The sample's address points as GDAL's OSM driver reads them (street, number,
    postcode, lon, lat)."""
    points = pyogrio.read_dataframe(PBF, layer="points")
    rows = []
    for tags, geom in zip(points["other_tags"], points.geometry, strict=True):
        found = dict(TAG.findall(tags if isinstance(tags, str) else ""))
        if "addr:street" in found and "addr:housenumber" in found:
            rows.append(
                (found["addr:street"], found["addr:housenumber"], found.get("addr:postcode"),
                 geom.x, geom.y)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["street", "number", "postcode", "lon", "lat"])


def test_the_index_holds_what_gdal_reads(
    sample_engine: Engine, gdal_addresses: pd.DataFrame
) -> None:
    """`load-sample` imported every address of the PBF (all lie in the city)."""
    with sample_engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(models.addresses)).scalar_one()
    assert stored == len(gdal_addresses) > 10_000


def test_addresses_are_found_where_gdal_puts_them(
    sample_engine: Engine, gdal_addresses: pd.DataFrame
) -> None:
    """200 addresses drawn at random, typed as on a letter: each found for sure, within
    half a metre of GDAL's point."""
    sample = gdal_addresses.sample(200, random_state=1)
    for row in sample.itertuples():
        found = search(sample_engine, f"{row.street} {row.number}, {row.postcode} Salzgitter")
        assert found.sure is not None, row
        _, _, metres = GEOD.inv(row.lon, row.lat, found.sure.lon, found.sure.lat)
        assert metres < 0.5, (row, found.sure)


def some_address(gdal_addresses: pd.DataFrame, unique: bool = True) -> pd.Series:
    """An address on a street whose name occurs in one postcode only (or in several)."""
    postcodes = gdal_addresses.groupby("street")["postcode"].nunique()
    names = postcodes[postcodes == 1].index if unique else postcodes[postcodes > 1].index
    street = sorted(n for n in names if "straße" in n or not unique)[0]
    return gdal_addresses[gdal_addresses.street == street].iloc[0]


def test_spellings_and_typos(sample_engine: Engine, gdal_addresses: pd.DataFrame) -> None:
    """ "Straße", "Str.", "strasse", lower case and spelt-out umlauts all find the street;
    a letter missing still puts it first among the candidates."""
    row = some_address(gdal_addresses)
    stem = row.street.removesuffix("straße")
    for typed in (f"{stem}str. {row.number}", f"{stem.lower()}strasse {row.number}",
                  f"{stem} Straße {row.number}"):  # fmt: skip
        found = search(sample_engine, typed.replace("ö", "oe").replace("ü", "ue"))
        assert found.sure is not None and found.sure.street == row.street, typed
    typo = search(sample_engine, f"{row.street[:3]}{row.street[4:]} {row.number}")
    assert typo.candidates and typo.candidates[0].street == row.street
    assert street_key("Am Alten Teich") == "amaltenteich" and street_key("Mühlenstr.") == (
        "muehlenstr"
    )


def test_a_missing_number_gives_the_nearest_and_says_so(
    sample_engine: Engine, gdal_addresses: pd.DataFrame
) -> None:
    """A house number the street lacks: not sure, the street's nearest number offered."""
    row = some_address(gdal_addresses)
    numbers = gdal_addresses[gdal_addresses.street == row.street]["number"].astype(int)
    found = search(sample_engine, f"{row.street} {numbers.max() + 40}, {row.postcode}")
    assert found.sure is None
    best = found.candidates[0]
    assert best.street == row.street and not best.exact_number
    assert int(best.housenumber) == numbers.max()


def test_a_street_in_two_postcodes_needs_the_postcode(
    sample_engine: Engine, gdal_addresses: pd.DataFrame
) -> None:
    """A name that occurs in two postcode areas is not guessed: both are offered; with the
    postcode the address is found for sure."""
    row = some_address(gdal_addresses, unique=False)
    both = search(sample_engine, f"{row.street} {row.number}")
    assert both.sure is None
    assert Counter(c.street for c in both.candidates)[row.street] >= 2
    exact = search(sample_engine, f"{row.street} {row.number}, {row.postcode}")
    assert exact.sure is not None and exact.sure.postcode == row.postcode


@pytest.mark.parametrize(
    ("typed", "street", "number", "postcode"),
    [
        ("Lindenweg 12a, 38226 Salzgitter", "Lindenweg", "12a", "38226"),
        ("Lindenweg 12 A", "Lindenweg", "12 A", ""),
        ("Hauptstraße 5-7", "Hauptstraße", "5-7", ""),
        ("Lindenweg", "Lindenweg", "", ""),
        ("Straße des 17. Juni 4", "Straße des 17. Juni", "4", ""),
    ],
)
def test_typed_addresses_are_taken_apart(
    typed: str, street: str, number: str, postcode: str
) -> None:
    """Street, house number and postcode of what a person types."""
    q = parse(typed)
    assert (q.street, q.number, q.postcode) == (street, number, postcode)


def test_nothing_like_it_finds_nothing(sample_engine: Engine) -> None:
    """Text resembling no street gives no candidate (and never an error)."""
    for typed in ("xq", "Zzyzxstraße 1", "", "12345", "'; DROP TABLE addresses; --"):
        assert search(sample_engine, typed).sure is None


def test_an_extract_without_addresses_is_refused(
    sample_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An import of a file without addresses changes nothing and says why."""
    empty = tmp_path_factory.mktemp("pbf") / "none.osm.pbf"
    empty.write_bytes(b"")
    profile = load_profile(Settings().profile_path)
    with sample_engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(models.addresses)).scalar_one()
    with pytest.raises(ImportValidationError):
        import_addresses(sample_engine, empty, profile)
    with sample_engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(models.addresses)).scalar_one()
    assert after == before
