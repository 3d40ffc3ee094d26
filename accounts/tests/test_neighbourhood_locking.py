"""Concurrent neighbourhood additions cannot pass the limit of two."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import UserNeighbourhood
from accounts.services import add_neighbourhood
from accounts.tests.factories import (
    NeighbourhoodFactory,
    UserFactory,
    UserNeighbourhoodFactory,
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_keep_two():
    user = UserFactory()
    UserNeighbourhoodFactory(user=user, neighbourhood=NeighbourhoodFactory(name="A"))
    candidates = [NeighbourhoodFactory(name=name) for name in ("B", "C", "D", "E")]
    barrier = threading.Barrier(len(candidates))
    outcomes: list[str] = []

    def add(place):
        try:
            barrier.wait(timeout=10)
            add_neighbourhood(user=user, neighbourhood=place)
            outcomes.append("added")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(place,)) for place in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["added", "too_many", "too_many", "too_many"]
    assert UserNeighbourhood.objects.filter(user=user).count() == 2
