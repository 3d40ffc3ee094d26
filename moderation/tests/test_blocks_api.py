import pytest
from rest_framework.test import APIClient

from moderation.models import Block
from moderation.selectors import blocked_user_ids
from moderation.tests.factories import BlockFactory
from recommender.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BLOCKS_URL = "/api/v1/blocks/"


@pytest.fixture
def blocker():
    return UserFactory(username="blocker")


@pytest.fixture
def client(blocker):
    client = APIClient()
    client.force_authenticate(blocker)
    return client


def test_block_user(client, blocker):
    target = UserFactory(username="target", display_name="Target T.")

    response = client.post(BLOCKS_URL, {"user": target.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["user"] == target.pk
    assert response.json()["name"] == "Target T."
    assert Block.objects.filter(blocker=blocker, blocked=target).count() == 1


def test_block_twice_keeps_one(client, blocker):
    target = UserFactory(username="target")
    first = BlockFactory(blocker=blocker, blocked=target)

    response = client.post(BLOCKS_URL, {"user": target.pk}, format="json")

    assert response.status_code == 201
    assert list(Block.objects.values_list("pk", flat=True)) == [first.pk]


def test_block_self_is_rejected(client, blocker):
    response = client.post(BLOCKS_URL, {"user": blocker.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"user": ["You cannot block yourself."]}
    assert Block.objects.count() == 0


def test_block_missing_user_is_rejected(client):
    response = client.post(BLOCKS_URL, {"user": 987654}, format="json")

    assert response.status_code == 400
    assert response.json() == {"user": ["User 987654 was not found; check the id."]}


def test_unblock_user(client, blocker):
    target = UserFactory(username="target")
    BlockFactory(blocker=blocker, blocked=target)

    response = client.delete(f"{BLOCKS_URL}{target.pk}/")
    again = client.delete(f"{BLOCKS_URL}{target.pk}/")

    assert response.status_code == 204
    assert again.status_code == 404
    assert again.json() == {"detail": f"You have not blocked user {target.pk}."}
    assert Block.objects.count() == 0


def test_list_shows_own_blocks(client, blocker):
    mine = BlockFactory(blocker=blocker)
    BlockFactory()

    response = client.get(BLOCKS_URL)

    assert response.status_code == 200
    assert [item["user"] for item in response.json()] == [mine.blocked_id]


def test_anonymous_cannot_block():
    target = UserFactory(username="target")

    response = APIClient().post(BLOCKS_URL, {"user": target.pk}, format="json")

    assert response.status_code == 403
    assert Block.objects.count() == 0


def test_blocked_user_ids_work_both_ways(blocker):
    blocked = UserFactory(username="blocked")
    blocked_me = UserFactory(username="blocked-me")
    BlockFactory(blocker=blocker, blocked=blocked)
    BlockFactory(blocker=blocked_me, blocked=blocker)
    BlockFactory(blocker=blocked, blocked=blocked_me)

    assert blocked_user_ids(blocker) == {blocked.pk, blocked_me.pk}
    assert blocked_user_ids(blocked) == {blocker.pk, blocked_me.pk}
    assert blocked_user_ids(UserFactory(username="nobody")) == set()
