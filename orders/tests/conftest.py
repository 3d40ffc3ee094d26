import pytest

from recommender.tests.factories import UserFactory


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def buyer():
    return UserFactory(username="buyer")
