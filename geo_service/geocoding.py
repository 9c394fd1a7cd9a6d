"""A local geocoder over the city's own OpenStreetMap addresses: a typed address ("Lindenweg
12a, 38226 Salzgitter") becomes a point, with no internet service.

Why not a library: the maintained open geocoders (Nominatim, Photon, Pelias, libpostal) each
need a server stack of their own (Nominatim its own PostgreSQL database built by osm2pgsql,
Photon Java and Elasticsearch, libpostal a 2 GB model) that the two commands could not install
and the tests could not start in seconds. A city needs far less: its own few thousand
addresses (``import addresses``, from the same PBF as the street network) in one PostGIS
table, the street names normalised ("Straße", "Str.", "strasse" alike; umlauts spelt out) and
matched with pg_trgm's trigram similarity, so a typo still finds the street; the house number
exactly, else the nearest number on that street, said so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Boolean, Engine, Float, bindparam, func, or_, select
from sqlalchemy import cast as sql_cast

from geo_service.db import models

A = models.addresses
MIN_SIMILARITY = 0.3  # pg_trgm's default threshold: below it a street is not a candidate
SURE = 0.9  # a street this similar with the exact number is taken without asking
MAX_CANDIDATES = 6
SPELLINGS = [
    (re.compile(r"stra(ss|ß)e\b|str\b\.?"), "str"),
    (re.compile(r"pl\b\.?"), "platz"),
]
NUMBER = re.compile(r"^(\d{1,5})\s*([a-z]?)(?:\s*[-/]\s*\d{1,5}\s*[a-z]?)?$")
POSTCODE = re.compile(r"\b(\d{5})\b")


def street_key(street: str) -> str:
    """A street name as the index compares it: lower case, umlauts spelt out, ß as ss, one
    spelling of "Straße", no spaces or punctuation ("Am Alten Teich" -> "amaltenteich")."""
    text = street.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for pattern, replacement in SPELLINGS:
        text = pattern.sub(replacement, text)
    return re.sub(r"[^a-z0-9]", "", text)


def number_key(number: str) -> str:
    """A house number as the index compares it: "12 A" -> "12a"."""
    return re.sub(r"\s+", "", number.casefold())


@dataclass(frozen=True)
class Query:
    """A typed address taken apart: street, house number and postcode (each may be empty)."""

    street: str
    number: str
    postcode: str


def parse(text: str) -> Query:
    """Take a typed address apart: "Lindenweg 12a, 38226 Salzgitter" -> street "Lindenweg",
    number "12a", postcode "38226" (the city is ignored: the index holds one city)."""
    postcode = POSTCODE.search(text)
    first = text.split(",")[0].strip()
    found = re.match(r"^(.*?\D)\s*(\d{1,5}\s*[a-zA-Z]?(?:\s*[-/]\s*\d{1,5}\s*[a-zA-Z]?)?)$", first)
    if found and not POSTCODE.fullmatch(found.group(2).strip()):
        street, number = found.group(1).strip(), found.group(2).strip()
    else:
        street, number = first, ""
    if postcode and postcode.group(1) in street:
        street = street.replace(postcode.group(1), "").strip()
    return Query(street, number, postcode.group(1) if postcode else "")


@dataclass(frozen=True)
class Candidate:
    """An address of the index that may be the one meant."""

    id: int
    street: str
    housenumber: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float
    similarity: float
    exact_number: bool

    @property
    def label(self) -> str:
        """The address as written on a letter: "Lindenweg 12a, 38226 Salzgitter"."""
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return f"{self.street} {self.housenumber}" + (f", {place}" if place else "")


@dataclass(frozen=True)
class Found:
    """What a search found: the one address it is sure of, or candidates to choose from."""

    query: Query
    sure: Candidate | None
    candidates: list[Candidate]


def _numeric(number: str) -> int | None:
    """The leading digits of a house number."""
    match = NUMBER.match(number_key(number))
    return int(match.group(1)) if match else None


def search(engine: Engine, text: str) -> Found:
    """Addresses that may be ``text``: the streets most similar to its street name (each with
    the exact house number, else the nearest one), best first; ``sure`` when one street is
    clearly meant and has the number."""
    query = parse(text[:200])
    key = street_key(query.street)
    if len(key) < 3:
        return Found(query, None, [])
    wanted = number_key(query.number)
    similarity = func.similarity(A.c.street_key, bindparam("key", key))
    streets = (
        select(A.c.street_key, A.c.postcode, func.max(similarity).label("sim"))
        .where(
            or_(
                A.c.street_key.op("%", return_type=Boolean)(bindparam("key", key)),
                A.c.street_key == key,
            )
        )
        .group_by(A.c.street_key, A.c.postcode)
        .order_by(
            (A.c.postcode == query.postcode).desc(), func.max(similarity).desc(), A.c.postcode
        )
        .limit(MAX_CANDIDATES)
        .subquery()
    )
    point = func.ST_Transform(A.c.geom, 4326)
    numeric = func.coalesce(sql_cast(func.substring(A.c.number_key, r"^\d+"), Float), 1e9)
    target = _numeric(wanted) if wanted else None
    distance = func.abs(numeric - (target if target is not None else 0))
    ranked = (
        select(
            A.c.id,
            A.c.street,
            A.c.housenumber,
            A.c.postcode,
            A.c.city,
            func.ST_X(point).label("lon"),
            func.ST_Y(point).label("lat"),
            streets.c.sim,
            (A.c.number_key == wanted).label("exact"),
            func.row_number()
            .over(
                partition_by=(A.c.street_key, A.c.postcode),
                order_by=((A.c.number_key == wanted).desc(), distance, A.c.number_key),
            )
            .label("pick"),
        )
        .join(
            streets,
            (streets.c.street_key == A.c.street_key)
            & (streets.c.postcode.is_not_distinct_from(A.c.postcode)),
        )
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(select(ranked).where(ranked.c.pick == 1)).all()
    candidates = [
        Candidate(
            r.id,
            r.street,
            r.housenumber,
            r.postcode,
            r.city,
            float(r.lon),
            float(r.lat),
            float(r.sim),
            bool(r.exact) and bool(wanted),
        )
        for r in rows
    ]
    candidates.sort(
        key=lambda c: (
            bool(query.postcode) and c.postcode != query.postcode,
            -c.similarity,
            not c.exact_number,
            c.postcode or "",
        )
    )
    return Found(query, _sure(candidates, query), candidates)


def _sure(candidates: list[Candidate], query: Query) -> Candidate | None:
    """The one candidate that is clearly meant: the number found exactly on a street spelt
    (almost) as typed, with no other such street unless the postcode tells them apart."""
    fits = [c for c in candidates if c.exact_number and c.similarity >= SURE]
    if query.postcode:
        fits = [c for c in fits if c.postcode == query.postcode] or fits
    return fits[0] if len(fits) == 1 else None


def address_at(engine: Engine, address_id: int) -> Candidate | None:
    """The indexed address with id ``address_id`` (a candidate someone chose)."""
    point = func.ST_Transform(A.c.geom, 4326)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                A.c.id,
                A.c.street,
                A.c.housenumber,
                A.c.postcode,
                A.c.city,
                func.ST_X(point),
                func.ST_Y(point),
            ).where(A.c.id == address_id)
        ).first()
    if row is None:
        return None
    return Candidate(row[0], row[1], row[2], row[3], row[4], row[5], row[6], 1.0, True)
