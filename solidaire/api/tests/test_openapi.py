"""The OpenAPI schema describes the public endpoints; the docs page works offline."""

from __future__ import annotations

import re

import pytest


@pytest.mark.django_db
def test_schema_describes_programme_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Solidaire API"
    assert set(schema["paths"]) == {
        "/api/v1/programmes/",
        "/api/v1/programmes/{programme_id}/",
    }
    assert set(schema["paths"]["/api/v1/programmes/"]) == {"get"}
    components = schema["components"]["schemas"]
    call = components["CallOut"]["properties"]
    assert call["proposals_received"]["type"] == "integer"
    assert call["opens_at"]["format"] == "date-time"
    amount = components["FiscalYearOut"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert amount["pattern"] == r"^-?\d+\.\d{2}$"
    detail = schema["paths"]["/api/v1/programmes/{programme_id}/"]["get"]
    assert "404" in detail["responses"]


@pytest.mark.django_db
def test_docs_page_loads_no_asset_from_another_site(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page should load the Swagger UI"
    assert all(a.startswith("/static/") for a in assets), assets
