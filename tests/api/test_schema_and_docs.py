"""The OpenAPI schema describes every endpoint once, validly, with its parameters; the docs
page works without the internet (Swagger UI's files are served by the portal)."""

import re

import pytest
import yaml
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/datasets/": {"get"},
    "/api/v1/datasets/{slug}/": {"get"},
    "/api/v1/versions/{id}/": {"get"},
    "/api/v1/versions/{id}/files/": {"get"},
    "/api/v1/versions/{id}/download/": {"get"},
    "/api/v1/versions/{id}/quality/": {"get"},
    "/api/v1/licenses/": {"get"},
    "/api/v1/licenses/{spdx_id}/": {"get"},
    "/api/v1/creators/": {"get"},
    "/api/v1/creators/{id}/": {"get"},
    "/api/v1/uploads/": {"post"},
    "/api/v1/models/": {"get"},
    "/api/v1/models/{id}/": {"get"},
    "/api/v1/models/{id}/generate/": {"post"},
    "/api/v1/training-runs/": {"get", "post"},
    "/api/v1/training-runs/{id}/": {"get"},
    "/api/v1/training-runs/{id}/cancel/": {"post"},
    "/api/v1/training-runs/{id}/metrics/": {"get"},
    "/api/v1/generation-jobs/": {"get"},
    "/api/v1/generation-jobs/{id}/": {"get"},
    "/api/v1/generation-jobs/{id}/cancel/": {"post"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_with_every_endpoint_once(schema):
    validate_schema(schema)
    documented = {path: set(operations) for path, operations in schema["paths"].items()}
    assert documented == ENDPOINTS


def test_every_operation_has_a_summary_or_description_and_documents_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") or operation.get("description"), (method, path)
            assert "4XX" in operation["responses"], (method, path)


def test_search_parameters_are_documented_with_their_values(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/datasets/"]["get"]["parameters"]}
    assert {"q", "sort", "kind", "modality", "organ", "license", "classes", "metrics"} <= set(
        parameters
    )
    assert parameters["modality"]["schema"]["items"]["enum"]
    assert parameters["page_size"]


def test_both_token_schemes_and_the_session_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["in"] == "header"
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_docs_page_serves_swagger_ui_from_the_portal(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'src="([^"]+\.js)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
