import json

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

SESSION_URL = "/app/api/session/"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def seller() -> User:
    return User.objects.create_user("seller-kim", password=PASSWORD)


def post_json(client: Client, body: object, **extra: str):
    return client.post(
        SESSION_URL, data=json.dumps(body), content_type="application/json", **extra
    )


def test_session_get_signed_out(client: Client) -> None:
    response = client.get(SESSION_URL)

    assert response.status_code == 200
    assert response.json() == {"user": None}


def test_session_sign_in_starts_session(client: Client, seller: User) -> None:
    response = post_json(client, {"username": "seller-kim", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {
        "user": {"username": "seller-kim", "is_demo": False, "trust_score": "36.5"}
    }
    assert client.get(SESSION_URL).json()["user"]["username"] == "seller-kim"


def test_session_wrong_password_rejected(client: Client, seller: User) -> None:
    response = post_json(client, {"username": "seller-kim", "password": "wrong"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The username or password is incorrect. Try again."
    }
    assert client.get(SESSION_URL).json() == {"user": None}


def test_session_unknown_user_rejected(client: Client) -> None:
    response = post_json(client, {"username": "nobody", "password": PASSWORD})

    assert response.status_code == 400


def test_session_missing_fields_named(client: Client) -> None:
    response = post_json(client, {"username": "", "password": 5})

    assert response.status_code == 400
    assert response.json() == {
        "username": ["The username is missing; enter your username."],
        "password": ["The password is missing; enter your password."],
    }


@pytest.mark.parametrize("body", ["{broken", "[1, 2]"])
def test_session_bad_body_rejected(client: Client, body: str) -> None:
    response = client.post(SESSION_URL, data=body, content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_session_sign_out_ends_session(client: Client, seller: User) -> None:
    client.force_login(seller)

    response = client.delete(SESSION_URL)

    assert response.status_code == 200
    assert response.json() == {"user": None}
    assert client.get(SESSION_URL).json() == {"user": None}


def test_session_post_needs_csrf_token(seller: User) -> None:
    client = Client(enforce_csrf_checks=True)
    body = {"username": "seller-kim", "password": PASSWORD}

    rejected = post_json(client, body)

    assert rejected.status_code == 403
    assert client.get(SESSION_URL).json() == {"user": None}

    # The page of the app sets the cookie that the app echoes in a header.
    client.get("/app/sign-in")
    token = client.cookies["csrftoken"].value
    accepted = post_json(client, body, HTTP_X_CSRFTOKEN=token)

    assert accepted.status_code == 200


def test_session_rejects_put(client: Client) -> None:
    response = client.put(SESSION_URL, data="{}", content_type="application/json")

    assert response.status_code == 405
