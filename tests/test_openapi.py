"""The OpenAPI document: valid OpenAPI 3, generated from the schemas, listing every route."""

from __future__ import annotations

from openapi_spec_validator import validate

from consult.api.routing import ROUTES


def test_the_openapi_document_is_valid_and_lists_every_route_with_its_schemas(client, make):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert len(operations) == len(ROUTES)
    post_comment = document["paths"]["/api/v1/rounds/{round_id}/comments"]["post"]
    assert post_comment["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CommentIn")
    assert {"201", "401", "404", "413", "422"} <= set(post_comment["responses"])
    comment_schema = document["components"]["schemas"]["CommentIn"]
    assert comment_schema["properties"]["body"]["maxLength"] == 20_000
    assert "Error" in document["components"]["schemas"]
