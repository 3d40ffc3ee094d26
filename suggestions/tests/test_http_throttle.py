"""The rate limit of GET /api/v1/suggestions/."""

import pytest
from rest_framework.test import APIClient

from recommender.tests.factories import UserFactory
from suggestions.api.throttling import SuggestionsRateThrottle

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"
# The throttle's clock is fixed, so the wait it reports is exact.
NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    clock = {"now": NOW}
    monkeypatch.setattr(SuggestionsRateThrottle, "timer", lambda self: clock["now"])
    return clock


def test_anonymous_over_rate_gets_429(settings):
    settings.SUGGESTIONS_HTTP_RATE = "2/min"
    client = APIClient()

    statuses = [client.get(URL).status_code for _ in range(2)]
    response = client.get(URL)

    assert statuses == [200, 200]
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many suggestion requests: the limit is 2/min. "
        "Retry in 60 seconds.",
        "retry_after": 60,
    }
    assert response["Retry-After"] == "60"


def test_wait_counts_down_and_limit_resets(settings, fixed_clock):
    settings.SUGGESTIONS_HTTP_RATE = "1/min"
    client = APIClient()
    assert client.get(URL).status_code == 200

    fixed_clock["now"] = NOW + 45
    throttled = client.get(URL)
    fixed_clock["now"] = NOW + 61
    allowed = client.get(URL)

    assert throttled.status_code == 429
    assert throttled.json()["retry_after"] == 15
    assert throttled.json()["detail"].endswith("Retry in 15 seconds.")
    assert allowed.status_code == 200


def test_users_counted_apart(settings):
    settings.SUGGESTIONS_HTTP_RATE = "1/min"
    first = APIClient()
    first.force_login(UserFactory(username="first"))
    second = APIClient()
    second.force_login(UserFactory(username="second"))

    assert first.get(URL).status_code == 200
    assert first.get(URL).status_code == 429
    assert second.get(URL).status_code == 200


def test_rate_read_per_request(settings):
    settings.SUGGESTIONS_HTTP_RATE = "1/min"
    client = APIClient()
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 429

    settings.SUGGESTIONS_HTTP_RATE = "5/min"

    assert client.get(URL).status_code == 200
