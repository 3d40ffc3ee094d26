import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from notifications.services import notify_user
from recommender.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_list_shows_own_notifications_newest_first():
    user = UserFactory(username="reader")
    other = UserFactory(username="other")
    notify_user(user=user, kind=Notification.Kind.ORDER_PLACED, message="First")
    notify_user(user=user, kind=Notification.Kind.ORDER_PLACED, message="Second")
    notify_user(user=other, kind=Notification.Kind.ORDER_PLACED, message="Theirs")
    client = APIClient()
    client.force_authenticate(user)

    response = client.get("/api/v1/notifications/")

    assert response.status_code == 200
    assert [n["message"] for n in response.json()] == ["Second", "First"]


def test_mark_read_keeps_first_time():
    user = UserFactory(username="reader")
    notification = notify_user(
        user=user, kind=Notification.Kind.ORDER_PLACED, message="Hello"
    )
    client = APIClient()
    client.force_authenticate(user)

    first = client.post(f"/api/v1/notifications/{notification.pk}/read/")
    second = client.post(f"/api/v1/notifications/{notification.pk}/read/")

    assert first.status_code == 200
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]
