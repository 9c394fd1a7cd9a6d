"""The OpenAPI 3.1 document as the API really answers: errors as problem+json, never 422.

FastAPI documents a 422 ``HTTPValidationError`` on every route with parameters; this API answers
400 problem+json instead (``problems.py``). This module rewrites the generated document once:
it drops the 422s and documents, per operation, every error status the route can answer, derived
from what the route depends on (an API key: 401/403, the database: 503, a path parameter: 404,
a body: 413) plus the statuses a route declares itself (e.g. 409), each as
``application/problem+json`` with the ``Problem`` schema and an example.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from geo_service.api.deps import api_key_header, engine
from geo_service.api.problems import HTTP_TITLES, PROBLEM_JSON, Problem

LOWEST_ROLE = "viewer"
REF = "#/components/schemas/Problem"
# What each error status means here, and an example detail.
ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "Invalid request: a parameter or body field, an unknown field or query parameter",
        "/household/size: Input should be greater than or equal to 1",
    ),
    401: ("Missing, unknown or revoked API key (header X-API-Key)", "missing X-API-Key header"),
    403: ("The key's role may not do this", "role 'viewer' may not do this; it needs 'planner'"),
    404: ("No such resource", "no resource with this id; the API is described at /docs"),
    409: ("Conflicts with the current state", "flat F-0110 is already held or confirmed"),
    413: ("Request body too large", "request body is larger than 1048576 bytes"),
    503: (
        "Database unreachable or not migrated (Retry-After)",
        "the database is unavailable; try again shortly",
    ),
}


# Models documented for other media types than JSON (e.g. GeoJSON), added to the components.
EXTRA_MODELS: dict[str, type[BaseModel]] = {}


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A reference to ``model``'s schema, which the document's components will hold."""
    EXTRA_MODELS[model.__name__] = model
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    """Put ``model``'s JSON schema (and the schemas it uses) into the components."""
    schema = model.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def example(status: int, detail: str) -> dict[str, Any]:
    """An example problem document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if status == 400:
        body["title"] = "Invalid request"
        body["errors"] = [{"pointer": "/household/size", "message": detail.split(": ", 1)[1]}]
    return body


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """The OpenAPI response object of one error status."""
    meaning, detail = ERRORS.get(status, (HTTP_TITLES.get(status, "Error"), "error"))
    return {
        "description": description or meaning,
        "content": {PROBLEM_JSON: {"schema": {"$ref": REF}, "example": example(status, detail)}},
    }


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency callable of a route, depth first."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from calls(sub)


def required_roles(dependant: Dependant) -> list[str | None]:
    """The roles of the route's API-key checks (None where the role cannot be read)."""
    roles = []
    for sub in dependant.dependencies:
        if any(d.call is api_key_header for d in sub.dependencies):
            closure = inspect.getclosurevars(sub.call).nonlocals if sub.call else {}
            role = closure.get("role")
            roles.append(role if isinstance(role, str) else None)
        roles.extend(required_roles(sub))
    return roles


def error_statuses(route: Any) -> set[int]:
    """The error statuses a route (an APIRoute or its context in an app) can answer, from
    what it depends on."""
    statuses = {400}  # NUL characters and unknown query parameters are refused everywhere
    used = set(calls(route.dependant))
    roles = required_roles(route.dependant)
    if roles:
        statuses |= {401, 503}
        if any(role != LOWEST_ROLE for role in roles):
            statuses.add(403)
    if engine in used:
        statuses.add(503)
    if route.dependant.path_params:
        statuses.add(404)
    if route.dependant.body_params:
        statuses.add(413)
    return statuses


def rewrite(doc: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """Drop the 422s and document every error status as problem+json (in place)."""
    for route in iter_route_contexts(routes):  # routes of included routers too
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = doc["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            declared = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            for status in sorted(error_statuses(route) | declared):
                own = responses.get(str(status), {})
                responses[str(status)] = problem_response(status, own.get("description"))
            operation["responses"] = dict(sorted(responses.items()))
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    documented: list[type[BaseModel]] = [Problem, *EXTRA_MODELS.values()]
    for model in documented:
        add_schema(schemas, model)
    return doc


def install(app: FastAPI) -> None:
    """Serve the rewritten document at /openapi.json (built once, on first request)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(generate(), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
