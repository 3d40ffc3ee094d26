import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

NEW_PATHS = {
    "/api/v1/listings/": {"get", "post"},
    "/api/v1/listings/{id}/": {"get", "patch", "delete"},
    "/api/v1/listings/{id}/bump/": {"post"},
    "/api/v1/listings/{id}/reserve/": {"post"},
    "/api/v1/listings/{id}/release/": {"post"},
    "/api/v1/listings/{id}/sell/": {"post"},
    "/api/v1/listings/{id}/hide/": {"post"},
    "/api/v1/listings/{id}/unhide/": {"post"},
    "/api/v1/catalog/products/": {"get"},
    "/api/v1/listings/{id}/photos/": {"post"},
    "/api/v1/listings/{id}/photos/{photo_pk}/": {"delete"},
    "/api/v1/reports/": {"get", "post"},
    "/api/v1/blocks/": {"get", "post"},
    "/api/v1/blocks/{user_pk}/": {"delete"},
}


def test_schema_generates_without_warnings(tmp_path):
    schema_file = tmp_path / "schema.yaml"

    # --fail-on-warn raises CommandError on any generator warning or error.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", schema_file)

    paths = yaml.safe_load(schema_file.read_text())["paths"]
    for path, methods in NEW_PATHS.items():
        assert set(paths[path]) == methods, path


@pytest.mark.django_db
def test_schema_endpoint_lists_new_paths():
    response = APIClient().get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in NEW_PATHS:
        assert path in paths
