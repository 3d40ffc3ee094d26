import json
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def built_app(settings, tmp_path: Path) -> Path:
    """Point the static directories at a fake build with a known manifest."""
    build = tmp_path / "static" / "build"
    build.mkdir(parents=True)
    manifest = {
        "src/main.jsx": {
            "file": "assets/main-abc123.js",
            "src": "src/main.jsx",
            "isEntry": True,
            "css": ["assets/main-def456.css"],
        }
    }
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STATIC_ROOT = tmp_path / "collected"
    return build


def test_app_page_links_built_files(client: Client, built_app: Path) -> None:
    response = client.get("/app/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script type="module" src="/static/build/assets/main-abc123.js">' in html
    assert 'href="/static/build/assets/main-def456.css"' in html
    assert '<div id="root"></div>' in html


def test_app_page_serves_client_routes(client: Client, built_app: Path) -> None:
    for path in ("/app/listings/17", "/app/search?q=%EB%A7%A5%EB%B6%81", "/app/a/b/c"):
        response = client.get(path)

        assert response.status_code == 200, path
        assert b"main-abc123.js" in response.content, path


def test_app_page_sets_csrf_cookie(client: Client, built_app: Path) -> None:
    response = client.get("/app/")

    assert "csrftoken" in response.cookies
    assert response["Cache-Control"].startswith("max-age=0")


def test_app_page_embeds_signed_in_user(client: Client, built_app: Path) -> None:
    user = User.objects.create_user("minji", password="unused-pass-1234")
    client.force_login(user)

    response = client.get("/app/")

    html = response.content.decode()
    start = html.index('<script id="app-config" type="application/json">')
    payload = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(payload) == {
        "user": {"username": "minji", "is_demo": False, "trust_score": "36.5"}
    }


def test_app_page_embeds_null_user_when_signed_out(
    client: Client, built_app: Path
) -> None:
    response = client.get("/app/")

    assert '{"user": null}' in response.content.decode()


def test_app_page_without_build_returns_503(
    client: Client, settings, tmp_path: Path
) -> None:
    settings.STATICFILES_DIRS = [tmp_path / "empty"]
    (tmp_path / "empty").mkdir()
    settings.STATIC_ROOT = tmp_path / "collected"

    response = client.get("/app/")

    assert response.status_code == 503
    assert b"make frontend" in response.content


def test_app_page_with_broken_manifest_returns_503(
    client: Client, built_app: Path
) -> None:
    (built_app / "manifest.json").write_text("{not json", encoding="utf-8")

    response = client.get("/app/")

    assert response.status_code == 503


def test_app_page_without_entry_returns_503(client: Client, built_app: Path) -> None:
    (built_app / "manifest.json").write_text(
        json.dumps({"src/other.js": {"file": "x.js"}}), encoding="utf-8"
    )

    response = client.get("/app/")

    assert response.status_code == 503


def test_app_page_rejects_post(client: Client, built_app: Path) -> None:
    response = client.post("/app/sell")

    assert response.status_code == 405


def test_root_page_is_unchanged(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert b"main-abc123.js" not in response.content


def _write_manifest(directory: Path, script: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {"src/main.jsx": {"file": script, "isEntry": True}}
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("debug", "expected"),
    [(False, "assets/collected.js"), (True, "assets/source.js")],
)
def test_app_page_picks_served_manifest(
    client: Client, settings, tmp_path: Path, debug: bool, expected: str
) -> None:
    _write_manifest(tmp_path / "static" / "build", "assets/source.js")
    _write_manifest(tmp_path / "collected" / "build", "assets/collected.js")
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.DEBUG = debug

    response = client.get("/app/")

    assert response.status_code == 200
    assert f"/static/build/{expected}".encode() in response.content


def test_app_page_uses_collected_manifest_alone(
    client: Client, settings, tmp_path: Path
) -> None:
    (tmp_path / "static").mkdir()
    _write_manifest(tmp_path / "collected" / "build", "assets/collected.js")
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STATIC_ROOT = tmp_path / "collected"

    response = client.get("/app/")

    assert response.status_code == 200
    assert b"/static/build/assets/collected.js" in response.content
