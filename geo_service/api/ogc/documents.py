"""The OGC API – Features JSON documents: landing page, conformance, collections, queryables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import URL

from geo_service.db.crs import StorageCRS
from geo_service.errors import NotFound
from geo_service.features.collections import CollectionSpec
from geo_service.features.crs import CRS84, offered
from geo_service.features.tiles import MVT, TMS, TMS_URI
from geo_service.i18n import _

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SORTABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/sortables"
SPEC = "http://www.opengis.net/spec"
CONFORMANCE = [
    f"{SPEC}/ogcapi-features-1/1.0/conf/core",
    f"{SPEC}/ogcapi-features-1/1.0/conf/oas30",
    f"{SPEC}/ogcapi-features-1/1.0/conf/html",
    f"{SPEC}/ogcapi-features-1/1.0/conf/geojson",
    f"{SPEC}/ogcapi-features-2/1.0/conf/crs",
    f"{SPEC}/ogcapi-features-3/1.0/conf/queryables",
    f"{SPEC}/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    f"{SPEC}/ogcapi-features-3/1.0/conf/filter",
    f"{SPEC}/ogcapi-features-3/1.0/conf/features-filter",
    f"{SPEC}/ogcapi-features-5/1.0/conf/sortables",
    f"{SPEC}/ogcapi-features-5/1.0/conf/sorting",
    f"{SPEC}/ogcapi-features-6/1.0/conf/properties-features",
    f"{SPEC}/cql2/1.0/conf/cql2-text",
    f"{SPEC}/cql2/1.0/conf/cql2-json",
    f"{SPEC}/cql2/1.0/conf/basic-cql2",
    f"{SPEC}/cql2/1.0/conf/advanced-comparison-operators",
    f"{SPEC}/cql2/1.0/conf/basic-spatial-functions",
    f"{SPEC}/cql2/1.0/conf/basic-spatial-functions-plus",
    f"{SPEC}/cql2/1.0/conf/spatial-functions",
    f"{SPEC}/cql2/1.0/conf/property-property",
    f"{SPEC}/ogcapi-tiles-1/1.0/conf/core",
    f"{SPEC}/ogcapi-tiles-1/1.0/conf/tileset",
    f"{SPEC}/ogcapi-tiles-1/1.0/conf/tilesets-list",
    f"{SPEC}/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    f"{SPEC}/ogcapi-tiles-1/1.0/conf/mvt",
    f"{SPEC}/tms/2.0/conf/tilematrixset",
    f"{SPEC}/tms/2.0/conf/json-tilematrixset",
]
REL = "http://www.opengis.net/def/rel/ogc/1.0"
TILESETS_REL = f"{REL}/tilesets-vector"
TMS_REL = f"{REL}/tiling-schemes"
LAYER_GEOMETRY = {"point": "points", "linestring": "curves", "polygon": "surfaces"}
SCHEMA_KINDS = {  # a property's kind as JSON Schema
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
}


def link(href: str | URL, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    """One link object."""
    out = {"href": str(href), "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def self_links(url: URL, json_type: str = JSON) -> list[dict[str, str]]:
    """``self`` (JSON) and ``alternate`` (HTML) links of a resource."""
    return [
        link(url.include_query_params(f="json"), "self", json_type, "this document"),
        link(url.include_query_params(f="html"), "alternate", HTML, "this document as HTML"),
    ]


def landing(base: str) -> dict[str, Any]:
    """The landing page (``base`` is the absolute /ogc URL without a trailing slash)."""
    return {
        "title": "geo_service – OGC API – Features",
        "description": "Districts, offers, amenities, available flats, area scores and coverage "
        "gaps of the city (ILLUSTRATIVE sample data unless the city loaded its own).",
        "links": [
            *self_links(URL(f"{base}/")),
            link(f"{base}/api", "service-desc", OPENAPI_30, "the API definition (OpenAPI 3.0)"),
            link(f"{base}/api?f=html", "service-doc", HTML, "the API documentation"),
            link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
            link(f"{base}/collections", "data", JSON, "the feature collections"),
            link(f"{base}/tileMatrixSets", TMS_REL, JSON, "tile matrix sets of the tiles"),
        ],
    }


def conformance() -> dict[str, Any]:
    """The conformance classes this API implements."""
    return {"conformsTo": CONFORMANCE}


def collection_doc(
    base: str, spec: CollectionSpec, extent: dict[str, Any], storage: StorageCRS
) -> dict[str, Any]:
    """One collection's description with its links, extent and CRS list."""
    url = f"{base}/collections/{spec.id}"
    return {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "itemType": "feature",
        "links": [
            *self_links(URL(url)),
            link(f"{url}/items?f=json", "items", GEOJSON, f"{spec.title} as GeoJSON"),
            link(f"{url}/items?f=html", "items", HTML, f"{spec.title} as HTML"),
            link(f"{url}/queryables", QUERYABLES_REL, SCHEMA_JSON, "properties to filter on"),
            link(f"{url}/sortables", SORTABLES_REL, SCHEMA_JSON, "properties to sort by"),
            link(f"{url}/tiles", TILESETS_REL, JSON, "vector tilesets (MVT)"),
        ],
        "extent": extent,
        "crs": list(offered(storage)),
        "storageCrs": storage.uri,
    }


def collections_doc(url: URL, docs: list[dict[str, Any]], storage: StorageCRS) -> dict[str, Any]:
    """The list of collections the caller may see."""
    return {"links": self_links(url), "collections": docs, "crs": list(offered(storage))}


def schema(base: str, spec: CollectionSpec, what: str, props: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema document of ``props`` at ``{collection}/{what}``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{spec.id}/{what}",
        "type": "object",
        "title": spec.title,
        "properties": props,
        "additionalProperties": False,
    }


def properties(props: dict[str, str]) -> dict[str, Any]:
    """Property name -> JSON Schema of its kind."""
    return {n: {"title": n, **SCHEMA_KINDS.get(k, {"type": k})} for n, k in props.items()}


def queryables(
    base: str, spec: CollectionSpec, props: dict[str, str], geometry: str
) -> dict[str, Any]:
    """The queryables of a collection as a JSON Schema: the properties the caller's role sees
    (each also an equality query parameter) and the spatial queryable ``geometry``."""
    spatial = {
        "title": "geometry",
        "format": f"geometry-{geometry}",
        "x-ogc-role": "primary-geometry",
    }
    return schema(base, spec, "queryables", {**properties(props), "geometry": spatial})


def sortables(base: str, spec: CollectionSpec, props: dict[str, str]) -> dict[str, Any]:
    """The properties items can be sorted by (``sortby``), as a JSON Schema."""
    return schema(base, spec, "sortables", properties(props))


def link_header(url: URL, base: str, spec: CollectionSpec) -> str:
    """The items response's ``Link`` header (RFC 8288): self, alternate and queryables.

    Targets are percent-encoded so they hold no comma or semicolon, and the queryables
    relation is written bare, as the third-party ogctests suite reads it (its parser splits
    on ``,``, ``;`` and ``=`` and compares the relation unquoted).
    """

    def target(href: str | URL) -> str:
        return "<" + str(href).replace(",", "%2C").replace(";", "%3B") + ">"

    return ", ".join(
        [
            f'{target(url.include_query_params(f="json"))}; rel="self"; type="{GEOJSON}"',
            f'{target(url.include_query_params(f="html"))}; rel="alternate"; type="{HTML}"',
            f"{target(f'{base}/collections/{spec.id}/queryables')}; rel={QUERYABLES_REL}; "
            f'type="{SCHEMA_JSON}"',
        ]
    )


def page_links(url: URL, offset: int, limit: int, returned: int, matched: int) -> list[Any]:
    """self/alternate plus next and prev links (GeoJSON, then HTML) keeping every parameter."""
    links = self_links(url, GEOJSON)
    steps = []
    if offset + returned < matched:
        steps.append(("next", offset + limit))
    if offset > 0:
        steps.append(("prev", max(0, offset - limit)))
    for rel, to in steps:
        links.append(link(url.include_query_params(offset=to, f="json"), rel, GEOJSON))
        links.append(link(url.include_query_params(offset=to, f="html"), rel, HTML))
    return links


def feature_collection(
    url: URL, base: str, spec: CollectionSpec, offset: int, limit: int, page: tuple[int, list[Any]]
) -> dict[str, Any]:
    """A page of items as a GeoJSON FeatureCollection with paging members and links."""
    matched, features = page
    links = page_links(url, offset, limit, len(features), matched)
    links.append(link(f"{base}/collections/{spec.id}", "collection", JSON, spec.title))
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    }


def feature_doc(url: URL, base: str, spec: CollectionSpec, feature: dict[str, Any]) -> Any:
    """One feature with its self, alternate and collection links."""
    return {
        **feature,
        "links": [
            *self_links(url, GEOJSON),
            link(f"{base}/collections/{spec.id}", "collection", JSON, spec.title),
        ],
    }


def check_tms(tms: str) -> None:
    """NotFound unless ``tms`` is the one tile matrix set offered."""
    if tms != TMS:
        raise NotFound(
            _("no tile matrix set '{tms}'; tiles are in {offered}").format(tms=tms, offered=TMS)
        )


def tile_matrix_sets(base: str) -> dict[str, Any]:
    """The list of tile matrix sets (WebMercatorQuad)."""
    href = f"{base}/tileMatrixSets/{TMS}"
    return {
        "tileMatrixSets": [
            {
                "id": TMS,
                "title": "Google Maps Compatible for the World",
                "uri": TMS_URI,
                "links": [link(href, "self", JSON, TMS)],
            }
        ],
        "links": [link(f"{base}/tileMatrixSets", "self", JSON, "this document")],
    }


def tileset_links(base: str, spec: CollectionSpec) -> list[dict[str, Any]]:
    """Links of a tileset: itself, its tile matrix set, the tile template, the collection."""
    url = f"{base}/collections/{spec.id}/tiles/{TMS}"
    template = {
        **link(f"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", "item", MVT, "the tiles"),
        "templated": True,
    }
    return [
        link(url, "self", JSON, f"{spec.title} tiles in {TMS}"),
        link(f"{base}/tileMatrixSets/{TMS}", f"{REL}/tiling-scheme", JSON, TMS),
        template,
        link(f"{base}/collections/{spec.id}", "collection", JSON, spec.title),
    ]


def tilesets(base: str, spec: CollectionSpec) -> dict[str, Any]:
    """The tilesets list of a collection (one vector tileset in WebMercatorQuad)."""
    url = f"{base}/collections/{spec.id}/tiles"
    return {
        "tilesets": [
            {
                "title": f"{spec.title} ({TMS})",
                "dataType": "vector",
                "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
                "tileMatrixSetURI": TMS_URI,
                "links": tileset_links(base, spec),
            }
        ],
        "links": [link(url, "self", JSON, "this document")],
    }


def tileset(
    base: str, spec: CollectionSpec, props: dict[str, str], geometry: str, extent: dict[str, Any]
) -> dict[str, Any]:
    """A tileset's metadata: its one layer (named after the collection) with the properties
    the caller's role sees, the bounding box and the links (tile URL template)."""
    doc: dict[str, Any] = {
        "title": f"{spec.title} ({TMS})",
        "description": spec.description,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "links": tileset_links(base, spec),
        "layers": [
            {
                "id": spec.id,
                "title": spec.title,
                "dataType": "vector",
                "geometryType": LAYER_GEOMETRY.get(geometry.removeprefix("multi"), "geometry"),
                "propertiesSchema": {"type": "object", "properties": properties(props)},
            }
        ],
    }
    bbox = extent.get("spatial", {}).get("bbox")
    if bbox:
        box = bbox[0]
        doc["boundingBox"] = {"lowerLeft": box[:2], "upperRight": box[2:], "crs": CRS84}
    return doc
