"""Property-based run over every operation of the OpenAPI schema: no 5xx, and status, content
type and body as documented.

Schemathesis generates valid (positive) and invalid (negative) cases from the live server's
OpenAPI document; the loop drives them with hypothesis directly (schemathesis' pytest plugin does
not load under this pytest version).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 12
# No 5xx; every answer's status, content type and body as the document says.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation(server: str, keys: dict[str, str], mode: GenerationMode) -> None:
    """With a valid admin key no generated input yields a 5xx or a response outside the schema."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    headers = {"X-API-Key": keys["admin"]}
    calls: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:  # nothing to negate (e.g. /health takes no input)
            assert mode is GenerationMode.NEGATIVE
    print(f"schemathesis {mode.value}: {sum(calls.values())} calls over {len(calls)} operations")
    assert len(calls) >= (12 if mode is GenerationMode.POSITIVE else 8)
