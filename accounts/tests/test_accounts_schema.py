import yaml
from django.core.management import call_command

ACCOUNT_PATHS = {
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/me/delete/": {"post"},
    "/api/v1/me/neighbourhoods/": {"get", "post"},
    "/api/v1/me/neighbourhoods/{neighbourhood_id}/": {"delete"},
    "/api/v1/me/neighbourhoods/{neighbourhood_id}/confirm/": {"post"},
    "/api/v1/neighbourhoods/": {"get"},
    "/api/v1/users/{id}/": {"get"},
}


def test_schema_documents_account_endpoints(tmp_path):
    schema_file = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", schema_file)

    schema = yaml.safe_load(schema_file.read_text())
    for path, methods in ACCOUNT_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    assert schema["components"]["securitySchemes"]["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": "Session token from /_allauth/app/v1/auth/login.",
    }
    assert "latitude" not in str(schema["components"]["schemas"]["PublicProfile"])
