"""Schemathesis against /api/v1/openapi.json with every role's token: no 5xx, no response that breaks its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.resilience.test_authorisation_matrix import ROLES, _world


def _explore(operation, token: str, role: str, examples: int, calls: list[int], failures: list[str],
             derandomize: bool) -> None:
    """Generate requests for one operation and one role; record what breaks."""

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              derandomize=derandomize)
    def call(case):
        calls[0] += 1
        # identity: the in-process WSGI transport hands the body over as sent, and would not undo a gzip
        response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})
        try:
            case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
        except Exception as error:  # collected, so one run reports every operation that fails
            failures.append(f"{operation.label} as {role}: {response.status_code}: {str(error)[:300]}")

    call()


#: The operations are shared among this many tests, taken in turn (each under the per-test timeout, and spread
#: over the suite's workers); together they cover every operation.
PARTS = 4


@pytest.mark.one_database("postgresql", "PostgreSQL refuses what SQLite takes (NUL in text, integers past its "
                                        "range): the generated requests go there")
@pytest.mark.parametrize("part", range(PARTS))
def test_generated_requests_from_the_openapi_document_never_break_the_api(app, make, request, scenario, part):
    long = request.config.getoption("--long")
    examples = 50 if long else 10  # the short run is the same every time (CI); --long explores afresh
    world = _world(make)
    tokens = {role: make.token(world[role]) for role in ROLES}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls, failures, operations = [0], [], 0
    every = list(schema.get_all_operations())
    for number, result in enumerate(every):
        if number % PARTS != part:
            continue
        operation = result.ok()
        operations += 1
        for role in ROLES:
            _explore(operation, tokens[role], role, examples, calls, failures, derandomize=not long)
    scenario(done=f"schemathesis generated requests for {operations} of {len(every)} operations (part {part + 1} "
                  f"of {PARTS}) with the tokens of "
                  f"{len(ROLES)} roles", checked="no 5xx; every documented response matches its schema",
             figure=f"{calls[0]} requests, {len(failures)} failures")
    assert len(every) >= 40 and operations >= len(every) // PARTS and calls[0] >= operations * len(ROLES)
    assert failures == [], "\n".join(failures[:20])
