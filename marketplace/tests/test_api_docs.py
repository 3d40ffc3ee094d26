"""API docs pages load only local files; the schema lists every route."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

ATTRIBUTE_URL = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']""")
STATIC_PREFIX = "/static/"


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_page_uses_local_files(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    referenced = ATTRIBUTE_URL.findall(html)
    static_files = [ref for ref in referenced if ref.startswith(STATIC_PREFIX)]
    assert static_files, "the page references no static file"
    for reference in referenced:
        assert reference.startswith((STATIC_PREFIX, "/api/v1/schema/")), reference
    for reference in static_files:
        assert finders.find(reference.removeprefix(STATIC_PREFIX)), reference


def test_swagger_page_fetches_local_schema(client):
    html = client.get("/api/v1/docs/").content.decode()

    assert '"/api/v1/schema/"' in html


def _api_routes(patterns, prefix=""):
    """Yield the route of every URL pattern below /api/v1/."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith(
            ("api/v1/", "^api/v1/")
        ):
            yield route


def _schema_path(route: str) -> str:
    """Turn a Django route or router regex into an OpenAPI path."""
    path = route.replace("^", "").removesuffix("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    path = path.replace("{pk}", "{id}")
    return "/" + path


def test_schema_validates_and_lists_every_endpoint(tmp_path):
    schema_file = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", schema_file)

    paths = set(yaml.safe_load(schema_file.read_text())["paths"])
    routes = {
        _schema_path(route)
        for route in _api_routes(get_resolver().url_patterns)
        if "format" not in route
    }
    assert "/api/v1/listings/{id}/photos/{photo_pk}/" in routes
    assert "/api/v1/blocks/{user_pk}/" in routes
    documented_elsewhere = {"/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"}
    assert routes - documented_elsewhere - paths == set()
    assert "/api/v1/listings/{id}/photos/" in paths
    assert "/api/v1/reports/" in paths
