"""HTML views of the OGC documents: plain pages, inline CSS, no scripts and no remote assets."""

from __future__ import annotations

import json
from html import escape
from typing import Any

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}code{font-size:.9em}"
)


def _cell(value: Any) -> str:
    """A table cell's text (objects as compact JSON)."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return escape("" if value is None else str(value))


def _td(value: Any) -> str:
    """A table cell: markup as given for ``('html', text)`` tuples, else escaped text."""
    return f"<td>{value[1] if isinstance(value, tuple) else _cell(value)}</td>"


def _table(head: list[str], rows: list[list[Any]]) -> str:
    """An HTML table with a header row."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _a(href: str, text: str) -> tuple[str, str]:
    """A link as table-cell markup."""
    return ("html", f'<a href="{escape(href)}">{escape(text)}</a>')


def _links(links: list[dict[str, str]]) -> str:
    """The document's links as a list."""
    items = "".join(
        f'<li>{escape(k["rel"])}: <a href="{escape(k["href"])}">'
        f"{escape(k.get('title') or k['href'])}</a> <small>{escape(k.get('type', ''))}</small></li>"
        for k in links
    )
    return f"<h2>Links</h2><ul>{items}</ul>"


def _body(doc: dict[str, Any]) -> str:
    """The main part of the page for whichever kind of document ``doc`` is."""
    if "collections" in doc:
        rows = [
            [
                _a(next(k["href"] for k in c["links"] if k["type"] == "text/html"), c["id"]),
                c["title"],
                c["description"],
            ]
            for c in doc["collections"]
        ]
        return _table(["collection", "title", "description"], rows)
    if doc.get("type") == "FeatureCollection":
        feats = doc["features"]
        names = list(dict.fromkeys(k for f in feats for k in f["properties"]))
        rows = [
            [f["id"], (f["geometry"] or {}).get("type"), *[f["properties"].get(n) for n in names]]
            for f in feats
        ]
        paging = f"<p>{doc['numberReturned']} of {doc['numberMatched']} features.</p>"
        return paging + _table(["id", "geometry", *names], rows)
    if doc.get("type") == "Feature":
        rows = [[k, v] for k, v in doc["properties"].items()]
        rows.append(["geometry", doc["geometry"]])
        return _table(["property", "value"], rows)
    if "conformsTo" in doc:
        return _table(["conformance class"], [[c] for c in doc["conformsTo"]])
    if "$schema" in doc:
        return _table(
            ["queryable", "type"],
            [[k, v.get("format", v.get("type"))] for k, v in doc["properties"].items()],
        )
    if "paths" in doc:
        return _table(
            ["path", "summary"], [[p, o["get"]["summary"]] for p, o in doc["paths"].items()]
        )
    return f"<pre>{escape(json.dumps(doc, indent=2, ensure_ascii=False))}</pre>"


def render(title: str, doc: dict[str, Any]) -> str:
    """A complete HTML page for an OGC document."""
    description = doc.get("description") or ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(description)}</p>{_body(doc)}{_links(doc.get('links', []))}</body></html>"
    )
