"""Validate one record (an offer or a volunteer sent over HTTP) with the importer's own checks:
fields, vocabularies, languages, coordinates in range and inside a district."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine

from geo_service.db.crs import storage_crs
from geo_service.errors import InputError
from geo_service.i18n import _, ngettext
from geo_service.ingest.errors import Problem
from geo_service.ingest.schemas import KindSpec
from geo_service.ingest.validate import check_fields, check_geometry


def problems_error(what: str, problems: list[Problem]) -> InputError:
    """A 400 listing each invalid field (the import report's problems, without row numbers)."""
    first = problems[0]
    value = f" = „{first.value}“" if first.value else ""
    n = len(problems) - 1
    more = (
        " " + ngettext("(and {n} more problem)", "(and {n} more problems)", n).format(n=n)
        if n
        else ""
    )
    return InputError(
        _("{what} rejected, nothing written: {field}{value}: {message}{more}").format(
            what=what, field=first.field, value=value, message=first.message, more=more
        ),
        errors=[{"pointer": f"/{p.field}", "message": p.message} for p in problems],
    )


def check_record(
    engine: Engine,
    spec: KindSpec,
    record: dict[str, Any],
    lon: float,
    lat: float,
    categories: frozenset[str],
) -> tuple[dict[str, Any], shapely.Point]:
    """The record's values typed as an import types them, and its point in the storage CRS
    with ``district_code`` set; InputError (400) listing every problem otherwise."""
    from geo_service.ingest.service import district_layer
    from geo_service.ingest.spatial import assign_districts

    frame = pd.DataFrame([{k: _cell(v) for k, v in record.items()}])
    rows, problems = check_fields(frame, spec, categories)
    point = gpd.GeoDataFrame(frame, geometry=[shapely.Point(lon, lat)], crs=4326)
    storage = storage_crs(engine)
    geoms, geo_problems = check_geometry(point, spec, storage)
    problems += geo_problems
    what = f"{spec.kind[:-1]} {record.get('id') or ''}".strip()
    if problems:
        raise problems_error(what, problems)
    districts = district_layer(engine, storage)
    codes = assign_districts(geoms, districts.geometry.to_numpy(), districts.code.to_numpy())
    if codes[0] is None:
        raise problems_error(
            what,
            [Problem(0, "lon/lat", f"{lon}, {lat}", _("outside the city: in no district"))],
        )
    out = {k: _plain(v) for k, v in rows.iloc[0].to_dict().items()}
    for f in spec.fields:
        if f.type == "int" and out.get(f.name) is not None:
            out[f.name] = int(out[f.name])
    out["district_code"] = str(codes[0])
    return out, geoms.iloc[0]


def _cell(value: Any) -> Any:
    """A request value as a file cell: lists of languages joined as the importer reads them."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as plain Python values (None for missing)."""
    if isinstance(value, list):
        return value
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
