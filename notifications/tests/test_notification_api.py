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


@pytest.mark.django_db(transaction=True)
def test_push_failure_keeps_stored_notification(settings, caplog):
    # Port 1 on this machine has no Redis, so every push fails to connect.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    user = UserFactory(username="reader")

    notification = notify_user(
        user=user, kind=Notification.Kind.ORDER_PLACED, message="Stored"
    )

    assert Notification.objects.get(pk=notification.pk).message == "Stored"
    assert f"Failed to push notification {notification.pk} to user {user.pk}" in (
        caplog.text
    )


def test_unread_count_counts_own_unread():
    user = UserFactory(username="reader")
    other = UserFactory(username="other")
    first = notify_user(user=user, kind=Notification.Kind.ORDER_PLACED, message="1")
    notify_user(user=user, kind=Notification.Kind.ORDER_PLACED, message="2")
    notify_user(user=user, kind=Notification.Kind.ORDER_PLACED, message="3")
    notify_user(user=other, kind=Notification.Kind.ORDER_PLACED, message="Theirs")
    client = APIClient()
    client.force_authenticate(user)
    client.post(f"/api/v1/notifications/{first.pk}/read/")

    response = client.get("/api/v1/notifications/unread-count/")

    assert response.status_code == 200
    assert response.json() == {"unread": 2}


def test_unread_count_needs_sign_in():
    response = APIClient().get("/api/v1/notifications/unread-count/")

    assert response.status_code == 403
