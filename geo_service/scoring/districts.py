"""District social structure: status index, classes, suppression, capacity, utilisation, B."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from geo_service.db import models
from geo_service.db.transactions import DISTRICT_STATUS_LOCK, hold_lock
from geo_service.errors import InputError, NotFound
from geo_service.i18n import _
from geo_service.scoring.decay import district_factor
from geo_service.scoring.district_codes import require_known
from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.results import District, DistrictDetail, IndicatorYear, ServicePlaces
from geo_service.scoring.services import read_places
from geo_service.suppression import Table, suppress

# what a small number of placements hides with it: utilisation and factor follow from it
SMALL_COUNT_FIGURES = ("placements", "utilisation", "factor")
PUBLIC_FIGURES = (
    "status_index",
    "status_class",
    "capacity",
    "placements",
    "utilisation",
    "factor",
    "residents",
)
# figures of a district that are no column of the status table (hidden alike when suppressed)
PUBLIC_DETAILS = ("services",)


def status_index(ind: pd.DataFrame, profile: ScoringProfile) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of oriented z-scores (higher = more burden) and classes 1-4.

    Districts under the minimum population are left out of the z-scores (their figures are
    unreliable and suppressed) and get neither index nor class (NaN / 0).
    """
    rules = profile.district
    small = ind["residents"].to_numpy() < rules.min_population
    total = np.zeros(len(ind))
    weights = 0.0
    for name, spec in rules.indicators.items():
        x = ind[name].to_numpy(float)
        ref = x[~small]
        sd = ref.std() if len(ref) > 1 else 0.0
        z = (x - ref.mean()) / sd if sd > 0 else np.zeros_like(x)
        total += spec.direction * spec.weight * z
        weights += spec.weight
    index = np.where(small, np.nan, total / weights)
    classes = np.where(small, 0, np.searchsorted(rules.class_thresholds, index, side="right") + 1)
    return index, classes


def district_status(
    ind: pd.DataFrame, quotas: pd.DataFrame, confirmed: pd.Series, profile: ScoringProfile
) -> pd.DataFrame:
    """One row per district: index, class, suppression, capacity, placements, utilisation, B."""
    rules = profile.district
    df = ind.reset_index(drop=True).copy()
    df["status_index"], df["status_class"] = status_index(df, profile)
    df["suppressed"] = df["residents"] < rules.min_population
    q = quotas.set_index("district_code")
    factors = np.array([1.0, *rules.class_factors])  # suppressed (class 0): neutral factor
    derived = np.round(df["residents"] * rules.base_rate * factors[df["status_class"]]).astype(int)
    imported = df["district_code"].map(q["capacity"]) if len(q) else pd.Series(np.nan, df.index)
    df["capacity"] = imported.fillna(derived).astype(int)
    df["capacity_source"] = np.where(imported.notna(), "imported", "derived")
    before = df["district_code"].map(q["placements_before"]).fillna(0) if len(q) else 0
    df["placements"] = (before + df["district_code"].map(confirmed).fillna(0)).astype(int)
    cap = df["capacity"].to_numpy(float)
    df["utilisation"] = np.where(cap > 0, df["placements"] / np.maximum(cap, 1), 1.0)
    df["factor"] = district_factor(
        df["utilisation"].to_numpy(), rules.utilisation_full, rules.utilisation_zero
    )
    return df


def indicator_table(
    conn: Connection, keys: list[str] | None = None, latest: bool = False
) -> pd.DataFrame:
    """Indicators in wide form: ``district_code``, ``year``, ``residents`` and one column per
    indicator key (``keys`` in their order, NaN where a year lacks one; default every stored
    key, sorted); ``latest`` keeps each district's latest year only."""
    di, iv = models.district_indicators, models.district_indicator_values
    base = pd.read_sql(
        select(di.c.district_code, di.c.year, di.c.residents).order_by(
            di.c.district_code, di.c.year.desc()
        ),
        conn,
    )
    if latest:
        base = base.drop_duplicates("district_code")
    query = select(iv.c.district_code, iv.c.year, iv.c.indicator, iv.c.value)
    if keys is not None:
        query = query.where(iv.c.indicator.in_(keys))
    values = pd.read_sql(query, conn)
    wide = values.pivot(index=["district_code", "year"], columns="indicator", values="value")
    columns = keys if keys is not None else sorted(wide.columns)
    wide = wide.reindex(columns=columns).reset_index()
    out = base.merge(wide, on=["district_code", "year"], how="left")
    return out.sort_values(["district_code", "year"]).reset_index(drop=True)


def require_indicators(ind: pd.DataFrame, profile: ScoringProfile) -> None:
    """A clear error when a district's year lacks one of the profile's indicators."""
    keys = list(profile.district.indicators)
    missing = ind[keys].isna().to_numpy()
    if missing.any():
        row, col = (int(v[0]) for v in missing.nonzero())
        r = ind.iloc[row]
        raise InputError(
            _(
                "district {district}, {year}: no value for the indicator “{indicator}” of the "
                "profile “{profile}”; import indicators with that column "
                "(`geo-service import indicators FILE --profile ...`)"
            ).format(
                district=r["district_code"],
                year=r["year"],
                indicator=keys[col],
                profile=profile.name,
            )
        )


def read_inputs(
    conn: Connection, profile: ScoringProfile
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Latest indicators per district (the profile's), the latest quota period, confirmed
    reservations."""
    qp, r = models.quota_plan, models.reservations
    ind = indicator_table(conn, list(profile.district.indicators), latest=True)
    require_indicators(ind, profile)
    quotas = pd.read_sql(select(qp).order_by(qp.c.district_code, qp.c.period.desc()), conn)
    quotas = quotas.drop_duplicates("district_code")
    conf = pd.read_sql(
        select(r.c.district_code, func.count().label("n"))
        .where(r.c.status == "confirmed")
        .group_by(r.c.district_code),
        conn,
    )
    return ind, quotas, conf.set_index("district_code")["n"]


def store_status(conn: Connection, status: pd.DataFrame, version: str) -> None:
    """Upsert one district_status row per district and delete rows of districts no longer
    there (row by row, so a concurrent reader never sees the table empty)."""
    cols = [
        "district_code",
        "year",
        "status_index",
        "status_class",
        "suppressed",
        "capacity",
        "capacity_source",
        "placements",
        "utilisation",
        "factor",
    ]
    rows = status[cols].astype(object).where(status[cols].notna(), None).to_dict("records")
    for row in rows:
        row["status_class"] = row["status_class"] or None
        row["profile_version"] = version
    ds = models.district_status
    conn.execute(ds.delete().where(ds.c.district_code.not_in([r["district_code"] for r in rows])))
    if rows:
        stmt = insert(ds)
        stmt = stmt.on_conflict_do_update(
            index_elements=[ds.c.district_code],
            set_={
                **{c: stmt.excluded[c] for c in [*cols[1:], "profile_version"]},
                "computed_at": func.now(),
            },
        )
        conn.execute(stmt, rows)


def refresh(conn: Connection, profile: ScoringProfile) -> pd.DataFrame:
    """Recompute and store the district status from the stored data; return it.

    Writers of the district status (confirm, release, score) take one advisory lock first, in
    their transaction: each reads the placements after the previous writer committed, so any
    mix of concurrent confirmations ends with counts equal to a recount."""
    hold_lock(conn, DISTRICT_STATUS_LOCK)
    status = district_status(*read_inputs(conn, profile), profile)
    store_status(conn, status, profile.version)
    return status


def public_view(rows: list[dict[str, Any]], min_cell: int) -> list[dict[str, Any]]:
    """District figures for public output: districts under the minimum population show none;
    a small number of placements (suppression.py: the same mechanism as every public count;
    no total of them is published) is hidden with what gives it away (utilisation = placements
    / capacity, and the factor that follows from it), flagged ``small_count``."""
    table = Table(
        [int(r.get("placements") or 0) for r in rows],
        other=frozenset(i for i, r in enumerate(rows) if r.get("suppressed")),
    )
    hidden = suppress(table, min_cell).cells
    out = []
    for i, row in enumerate(rows):
        why = hidden.get(i)
        gone = (
            (*PUBLIC_FIGURES, *PUBLIC_DETAILS)
            if why == "other"
            else SMALL_COUNT_FIGURES
            if why
            else ()
        )
        small = why is not None and why != "other"
        out.append({k: (None if k in gone else v) for k, v in row.items()} | {"small_count": small})
    return out


def list_status(
    conn: Connection,
    public_min_cell: int | None,
    code: str | None = None,
    profile: ScoringProfile | None = None,
) -> list[District]:
    """District status rows with names and service places: every figure (None, planners), or
    the public view with the profile's ``min_cell`` (``public_view``); the places are named by
    ``profile``'s labels when one is given."""
    ds, d = models.district_status, models.districts
    q = select(d.c.code, d.c.name, d.c.ortschaft, *[c for c in ds.c if c.name != "district_code"])
    q = q.join(ds, ds.c.district_code == d.c.code, isouter=True).order_by(d.c.code)
    if code is not None:
        q = q.where(d.c.code == code)
    rows = [dict(r) for r in conn.execute(q).mappings()]
    places = read_places(conn)
    labels = {k: s.label for k, s in profile.services.items()} if profile else {}
    for row in rows:
        row["services"] = [
            ServicePlaces(
                kind=kind,
                label=labels.get(kind, kind),
                free_places=p["free"],
                as_of=p["as_of"],
                used=p["used"],
                left=p["left"],
            )
            for kind, p in places.get(row["code"], {}).items()
        ]
    if public_min_cell is not None:
        rows = public_view(rows, public_min_cell)
    return [District.model_validate(r) for r in rows]


def check_district_codes(conn: Connection, codes: list[str], field: str = "district") -> None:
    """InputError naming every unknown district code with a suggestion (codes are
    case-sensitive, e.g. LEB; names are not codes)."""
    if not codes:
        return
    d = models.districts
    names = {code: name or "" for code, name in conn.execute(select(d.c.code, d.c.name))}
    require_known(codes, set(names), names, field)


def indicators_of(conn: Connection, code: str) -> list[IndicatorYear]:
    """A district's indicators per year: year, residents and every stored indicator of that
    year by key."""
    di, iv = models.district_indicators, models.district_indicator_values
    years = conn.execute(
        select(di.c.year, di.c.residents).where(di.c.district_code == code).order_by(di.c.year)
    )
    by_year: dict[int, dict[str, object]] = {r["year"]: dict(r) for r in years.mappings()}
    values = conn.execute(
        select(iv.c.year, iv.c.indicator, iv.c.value)
        .where(iv.c.district_code == code)
        .order_by(iv.c.year, iv.c.indicator)
    )
    for year, key, value in values:
        by_year[year][key] = value
    return [IndicatorYear.model_validate(row) for row in by_year.values()]


def district_detail(
    conn: Connection, code: str, profile: ScoringProfile | None = None
) -> DistrictDetail:
    """Status, service places and indicators of one district (404 when unknown)."""
    rows = list_status(conn, None, code=code, profile=profile)
    if not rows:
        raise NotFound(_("there is no district with the code “{code}”").format(code=code))
    return DistrictDetail(**rows[0].model_dump(), indicators=indicators_of(conn, code))
