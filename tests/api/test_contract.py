"""The API contract as served: a valid OpenAPI 3.1 document that tells the truth, rendered by
Swagger UI in a real Chromium where "Try it out" works with an API key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from playwright.sync_api import Browser, Page, expect

PROBLEM = "application/problem+json"
NOT_JSON = {"text/html", "text/csv", "application/schema+json", "application/pdf"}


@pytest.fixture(scope="module")
def spec(server: str) -> dict[str, Any]:
    """The live OpenAPI document."""
    return httpx.get(f"{server}/openapi.json", timeout=30).json()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every documented operation."""
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_document_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    """openapi-spec-validator (an independent validator) accepts the 3.1 document."""
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_errors_are_problem_json_with_an_example_and_never_422(spec: dict[str, Any]) -> None:
    """Every operation documents its error statuses as problem+json with an example."""
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for method, path, op in operations(spec):
        responses = op["responses"]
        assert "422" not in responses, f"{method} {path}"
        assert "400" in responses, f"{method} {path}: no 400"
        for status, response in responses.items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == [PROBLEM], f"{method} {path} {status}"
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert content[PROBLEM]["example"]["status"] == int(status)
        if op.get("security"):
            assert {"401", "503"} <= set(responses), f"{method} {path}: auth errors"
        if "{" in path:
            assert "404" in responses, f"{method} {path}: no 404"
        if "requestBody" in op:
            assert "413" in responses, f"{method} {path}: no 413"


def test_success_responses_are_typed_and_content_types_as_served(spec: dict[str, Any]) -> None:
    """JSON answers of the REST API reference a named schema; other media types as served."""
    for method, path, op in operations(spec):
        success = {s: r for s, r in op["responses"].items() if int(s) < 400}
        assert success, f"{method} {path}: no success response"
        if not path.startswith("/api/") and path not in ("/health", "/ready"):
            continue
        for response in success.values():
            for media, body in response.get("content", {}).items():
                if media in NOT_JSON:
                    continue
                assert "$ref" in body["schema"], f"{method} {path} {media} is untyped"
    paths = spec["paths"]
    assert "text/csv" in paths["/api/v1/catalogue/coverage"]["get"]["responses"]["200"]["content"]
    queryables = paths["/ogc/collections/{collection_id}/queryables"]["get"]["responses"]["200"]
    assert set(queryables["content"]) == {"application/schema+json", "text/html"}
    items = paths["/ogc/collections/{collection_id}/items"]["get"]["responses"]["200"]
    assert set(items["content"]) == {"application/geo+json", "text/html"}
    assert "/maps/login" not in paths and "/login" not in paths  # pages, answering with pages
    created = paths["/api/v1/flats/{flat_id}/reservations"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]


def test_served_content_types_match_the_document(
    server: str, keys: dict[str, str], spec: dict[str, Any]
) -> None:
    """Calls answer with a media type their operation documents (spot checks)."""
    headers = {"X-API-Key": keys["admin"]}
    calls = [
        ("/api/v1/catalogue/coverage?format=csv&language=ar&category=counselling", "text/csv"),
        ("/ogc/collections/flats/queryables", "application/schema+json"),
        ("/ogc/collections/flats/items?limit=1", "application/geo+json"),
        ("/api/v1/flats?limit=1&f=geojson", "application/geo+json"),
        ("/api/v1/vocabularies", "application/json"),
    ]
    for url, media in calls:
        r = httpx.get(server + url, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == media, url
    r = httpx.get(server + "/maps/", follow_redirects=False, timeout=30)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def open_docs(browser: Browser, server: str) -> tuple[Page, list[str]]:
    """/docs in Chromium with every request outside this server refused (offline)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    outside: list[str] = []

    def only_local(route: Any) -> None:
        url = route.request.url
        if url.startswith(server):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{server}/docs", wait_until="networkidle")
    page.wait_for_selector(".opblock", timeout=30_000)
    return page, outside


def test_docs_render_every_operation_offline(
    browser: Browser, server: str, spec: dict[str, Any], tmp_path: Path
) -> None:
    """Swagger UI renders the 3.1 document: no error, one block per operation, no CDN."""
    page, outside = open_docs(browser, server)
    assert "Unable to render this definition" not in page.inner_text("body")
    shown = {
        (
            block.locator(".opblock-summary-method").inner_text().strip(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.locator(".opblock").all()
    }
    documented = {(m, p) for m, p, _ in operations(spec)}
    assert shown == documented
    assert outside == []
    page.screenshot(path=str(tmp_path / "docs.png"))
    page.close()


def test_try_it_out_with_an_api_key(browser: Browser, server: str, keys: dict[str, str]) -> None:
    """Authorize with a key, then "Try it out" → "Execute" on GET /api/v1/districts: 200."""
    page, _ = open_docs(browser, server)
    page.locator("button.authorize").first.click()
    # the dialog offers X-API-Key, HTTP Basic and Bearer: the key goes into X-API-Key's form
    form = page.locator(".modal-ux form", has=page.locator("#api_key_value"))
    form.locator("#api_key_value").fill(keys["viewer"])
    form.locator("button.authorize").click()
    page.locator(".modal-ux button.btn-done").first.click()
    block = page.locator("#operations-districts-list_districts_api_v1_districts_get")
    block.locator(".opblock-summary").click()
    block.locator("button.try-out__btn").click()
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200", timeout=30_000)
    assert "Lebenstedt" in block.locator(".live-responses-table").inner_text()
    page.close()
