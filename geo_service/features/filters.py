"""CQL2 filters (OGC API – Features Part 3) as SQLAlchemy expressions over a collection's
queryables.

Parsing is cql2-rs (the ``cql2`` package, as tipg uses): one maintained parser for CQL2 text
and CQL2 JSON that validates against the standard's JSON Schema and names the line and column
of a syntax error; both languages come out as one CQL2 JSON tree, so there is one translator.
(pygeofilter, the other candidate, parses in pure Python with Lark and its SQLAlchemy backend
builds filters for ORM classes; it was slower to parse and gave no better errors.)

The translator builds SQLAlchemy expressions against the columns of the collection's SQL as
built for the caller's role: a property the role does not see is no queryable (400), and a
figure hidden from the role is NULL already in that SQL, so no filter can reveal it. Values
are bound parameters, never SQL text. Geometry literals (GeoJSON, WKT via cql2-text, BBOX) are
read with Shapely, clipped to where the storage CRS is valid and densified, then reprojected
by PostGIS; the stored column stays bare so the GiST index answers spatial predicates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import cql2
import shapely
from geoalchemy2 import Geometry
from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    between,
    false,
    func,
    literal,
    not_,
    or_,
    true,
)
from sqlalchemy.sql import sqltypes

from geo_service.db.crs import StorageCRS
from geo_service.errors import InputError
from geo_service.features.crs import WGS84_SRID, valid_box
from geo_service.i18n import _

TEXT, JSON = "cql2-text", "cql2-json"
# filter-lang values: cql-text is the draft's name of cql2-text (GDAL up to 3.6 sends it)
FILTER_LANGUAGES = {TEXT: TEXT, JSON: JSON, "cql-text": TEXT}
GEOMETRY = "geometry"  # the spatial queryable's name (the stored column is ``geom``)
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
SPATIAL = {
    "s_intersects": func.ST_Intersects,
    "s_disjoint": func.ST_Disjoint,
    "s_within": func.ST_Within,
    "s_contains": func.ST_Contains,
    "s_equals": func.ST_Equals,
    "s_touches": func.ST_Touches,
    "s_crosses": func.ST_Crosses,
    "s_overlaps": func.ST_Overlaps,
}
POSITION = re.compile(r"-->\s*(\d+):(\d+)")
EXPECTED = re.compile(r"=\s*(expected .*)$", re.MULTILINE)


def parse(text: str, lang: str) -> dict[str, Any]:
    """A filter in ``lang`` (cql2-text or cql2-json) as its CQL2 JSON tree; InputError naming
    the position of a syntax error."""
    pointer = {"pointer": "query:filter"}
    try:
        if FILTER_LANGUAGES[lang] == TEXT:
            expr = cql2.parse_text(text)
        else:
            try:
                json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(
                    _(
                        "filter: not valid JSON at position {pos} (line {line}, column "
                        "{column}): {reason}"
                    ).format(pos=e.pos + 1, line=e.lineno, column=e.colno, reason=e.msg),
                    errors=[{**pointer, "message": f"JSON {e.pos + 1}"}],
                ) from None
            expr = cql2.parse_json(text)
        expr.validate()
    except cql2.ParseError as e:
        message = syntax_message(str(e), text)
        raise InputError(message, errors=[{**pointer, "message": message}]) from None
    except cql2.ValidationError as e:
        raise InputError(
            _("filter: not a valid CQL2 expression ({reason})").format(reason=str(e)[:300]),
            errors=[{**pointer, "message": "invalid CQL2"}],
        ) from None
    tree = expr.to_json()
    if not isinstance(tree, dict) and not isinstance(tree, bool):
        raise InputError(_("filter: a filter is a condition (true or false)"), errors=[pointer])
    return tree if isinstance(tree, dict) else {"op": "=", "args": [tree, True]}


def syntax_message(message: str, text: str) -> str:
    """cql2-rs's parse error in one line: the position (character, line, column) and what the
    parser expected there."""
    found = POSITION.search(message)
    expected = EXPECTED.search(message)
    what = expected.group(1) if expected else message.strip().splitlines()[0][:200]
    if not found:
        return _("filter: syntax error: {expected}").format(expected=what)
    line, column = int(found.group(1)), int(found.group(2))
    offset = sum(len(x) + 1 for x in text.split("\n")[: line - 1]) + column
    return _(
        "filter: syntax error at position {position} (line {line}, column {column}): {expected}"
    ).format(position=offset, line=line, column=column, expected=what)


@dataclass(frozen=True)
class Translator:
    """Translates a CQL2 JSON tree against ``items``' columns (the caller's queryables);
    geometry literals are in ``srid``."""

    items: Subquery
    srid: int
    storage: StorageCRS

    def __call__(self, node: Any) -> ColumnElement[bool]:
        """The boolean expression of a CQL2 node."""
        if isinstance(node, bool):
            return true() if node else false()
        if not isinstance(node, dict) or "op" not in node:
            raise unsupported(_("{part} is not a condition").format(part=json.dumps(node)[:80]))
        op, args = str(node["op"]).lower(), node.get("args", [])
        if op in ("and", "or"):
            parts = [self(a) for a in args]
            return and_(*parts) if op == "and" else or_(*parts)
        if op == "not":
            return not_(self(args[0]))
        if op in COMPARISONS:
            return self.comparison(op, args[0], args[1])
        if op == "isnull":
            return self.column(args[0]).is_(None)
        if op == "like":
            col = self.column(args[0])
            self.require_kind(args[0], col, ("string",), "LIKE")
            return col.like(self.value(args[1], "string", "LIKE"))
        if op == "between":
            col = self.column(args[0])
            kind = self.kind(col)
            return between(col, self.value(args[1], kind, op), self.value(args[2], kind, op))
        if op == "in":
            col = self.column(args[0])
            if not isinstance(args[1], list) or not args[1]:
                raise unsupported(_("IN needs a non-empty list of values"))
            return col.in_([self.value(v, self.kind(col), "IN") for v in args[1]])
        if op in SPATIAL:
            return SPATIAL[op](self.geometry(args[0]), self.geometry(args[1]))
        raise unsupported(_("the operator '{op}' is not supported").format(op=node["op"]))

    def column(self, node: Any) -> ColumnElement[Any]:
        """The column a ``{"property": name}`` node names (400 unless it is a queryable)."""
        if not isinstance(node, dict) or "property" not in node:
            raise unsupported(
                _("{part} must be a queryable property here").format(part=json.dumps(node)[:80])
            )
        name = str(node["property"])
        columns = self.items.c
        if name in (GEOMETRY, "geom") or name not in columns or name == "fid":
            known = ", ".join(c.name for c in columns if c.name not in ("fid", "geom"))
            raise InputError(
                _(
                    "filter: '{name}' is not a queryable of this collection; queryables: "
                    "{known}, {geometry} (spatial)"
                ).format(name=name, known=known, geometry=GEOMETRY),
                errors=[{"pointer": "query:filter", "message": name}],
            )
        return columns[name]

    def kind(self, col: ColumnElement[Any]) -> str:
        """The JSON Schema kind of a column: string, number, boolean, date or date-time."""
        return json_kind(col.type)

    def require_kind(
        self, node: Any, col: ColumnElement[Any], kinds: tuple[str, ...], what: str
    ) -> None:
        """400 unless the column is of one of ``kinds``."""
        if self.kind(col) not in kinds:
            raise unsupported(
                _("{what} needs a text property; '{name}' is not one").format(
                    what=what, name=node["property"]
                )
            )

    def comparison(self, op: str, left: Any, right: Any) -> ColumnElement[bool]:
        """A comparison of a property with a value or another property (either side)."""
        if isinstance(left, dict) and "property" in left:
            col = self.column(left)
            other = self.operand(right, self.kind(col), op)
            return COMPARISONS[op](col, other)
        if isinstance(right, dict) and "property" in right:
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
            return self.comparison(flipped, right, left)
        raise unsupported(_("a comparison needs a queryable property on one side"))

    def operand(self, node: Any, kind: str, op: str) -> Any:
        """The other side of a comparison: a property of a comparable kind, or a value."""
        if isinstance(node, dict) and "property" in node:
            col = self.column(node)
            if not comparable(kind, self.kind(col)):
                raise unsupported(
                    _("'{name}' ({kind}) cannot be compared with a {other}").format(
                        name=node["property"], kind=self.kind(col), other=kind
                    )
                )
            return col
        return self.value(node, kind, op)

    def value(self, node: Any, kind: str, op: str) -> Any:
        """A literal as a bound value of the column's ``kind`` (400 when it is not one)."""
        if isinstance(node, dict) and "op" in node:
            raise unsupported(_("the operator '{op}' is not supported").format(op=node["op"]))
        if isinstance(node, dict) and ("date" in node or "timestamp" in node):
            text = str(node.get("date", node.get("timestamp")))
            if kind not in ("date", "date-time"):
                raise unsupported(
                    _("{op}: a date is compared with a {kind} property").format(op=op, kind=kind)
                )
            return instant(text, kind)
        if kind in ("date", "date-time") and isinstance(node, str):
            return instant(node, kind)
        numeric = kind in ("integer", "number")
        if numeric and isinstance(node, int | float) and not isinstance(node, bool):
            return literal(node)
        if kind == "boolean" and isinstance(node, bool):
            return literal(node)
        if kind == "string" and isinstance(node, str):
            return literal(node)
        raise unsupported(
            _("{op}: {value} is not a {kind} value").format(
                op=op, value=json.dumps(node)[:80], kind=kind
            )
        )

    def geometry(self, node: Any) -> ColumnElement[Any]:
        """The stored geometry for the spatial queryable, or a literal in the storage CRS."""
        if isinstance(node, dict) and "property" in node:
            if node["property"] not in (GEOMETRY, "geom"):
                raise unsupported(
                    _("'{name}' is not a spatial queryable").format(name=node["property"])
                )
            return self.items.c.geom
        if isinstance(node, dict) and "bbox" in node:
            box = [float(v) for v in node["bbox"]]
            box = box[:2] + box[3:5] if len(box) == 6 else box
            shape = shapely.box(*box)
        elif isinstance(node, dict) and "type" in node:
            try:
                shape = shapely.from_geojson(json.dumps(node))
            except shapely.errors.GEOSException as e:
                raise unsupported(_("not a GeoJSON geometry: {reason}").format(reason=e)) from None
        else:
            raise unsupported(_("{part} is not a geometry").format(part=json.dumps(node)[:80]))
        return self.stored(shape)

    def stored(self, shape: shapely.Geometry) -> ColumnElement[Any]:
        """A geometry literal reprojected into the storage CRS by PostGIS, clipped to where
        that CRS is valid and densified first so its edges keep their course."""
        srid = self.storage.srid
        if self.srid != srid:
            shape = shapely.clip_by_rect(shape, *valid_box(self.srid, self.storage))
            x1, y1, x2, y2 = shape.bounds if not shape.is_empty else (0, 0, 0, 0)
            shortest = 0.001 if self.srid == WGS84_SRID else 100.0  # degrees (~100 m) or m
            shape = shapely.segmentize(shape, max(shortest, max(x2 - x1, y2 - y1) / 256))
        lit = func.ST_GeomFromWKB(shapely.to_wkb(shape), self.srid, type_=Geometry)
        return lit if self.srid == srid else func.ST_Transform(lit, srid, type_=Geometry)


def json_kind(type_: Any) -> str:
    """The JSON Schema kind of an SQL type: string, integer, number, boolean, date,
    date-time, or object (JSON, arrays: no queryable)."""
    try:
        python = type_.python_type
    except NotImplementedError:
        python = str
    if python is bool:
        return "boolean"
    if python in (dict, list, object) or isinstance(type_, sqltypes.JSON | sqltypes.ARRAY):
        return "object"
    if python is int:
        return "integer"
    if python is float or python.__name__ == "Decimal":
        return "number"
    if python is datetime:
        return "date-time"
    if python is date:
        return "date"
    return "string"


def comparable(a: str, b: str) -> bool:
    """Whether properties of kinds ``a`` and ``b`` can be compared."""
    return a == b or {a, b} <= {"date", "date-time"} or {a, b} <= {"integer", "number"}


def instant(text: str, kind: str) -> date | datetime:
    """A date or timestamp literal (RFC 3339) as the property's kind."""
    try:
        if "T" in text or kind == "date-time":
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return value.date() if kind == "date" and "T" not in text else value
        return date.fromisoformat(text)
    except ValueError:
        raise unsupported(
            _("'{text}' is not a date (2026-12-01) or timestamp").format(text=text)
        ) from None


def unsupported(message: str) -> InputError:
    """A 400 naming what in the filter cannot be evaluated."""
    return InputError(
        _("filter: {message}").format(message=message),
        errors=[{"pointer": "query:filter", "message": message}],
    )
