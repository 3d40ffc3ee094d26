from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from listings import services
from listings.models import Listing
from recommender.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


def create(client, **fields):
    body = {"title": "Camera", "condition": "good", **fields}
    return client.post("/api/v1/listings/", body, format="json")


@pytest.mark.parametrize(
    ("price", "currency", "field", "message"),
    [
        (
            "15000.5",
            "KRW",
            "price",
            "Price 15000.5 KRW has 1 decimal place; KRW prices are whole numbers.",
        ),
        (
            "1200.25",
            "JPY",
            "price",
            "Price 1200.25 JPY has 2 decimal places; JPY prices are whole numbers.",
        ),
        (
            "10.125",
            "USD",
            "price",
            "Price 10.125 USD has 3 decimal places; USD allows at most 2 "
            "decimal places.",
        ),
        (
            "-1.00",
            "USD",
            "price",
            "Price -1.00 USD is negative; the minimum price is 0.",
        ),
        (
            "100000.01",
            "USD",
            "price",
            "Price 100000.01 USD is above the maximum of 100000.00 USD.",
        ),
        (
            "100000.01",
            "EUR",
            "price",
            "Price 100000.01 EUR is above the maximum of 100000.00 EUR.",
        ),
        (
            "150000001",
            "KRW",
            "price",
            "Price 150000001 KRW is above the maximum of 150000000 KRW.",
        ),
        (
            "15000001",
            "JPY",
            "price",
            "Price 15000001 JPY is above the maximum of 15000000 JPY.",
        ),
        (
            "10.00",
            "GBP",
            "currency",
            "Currency 'GBP' is not supported; use one of the ISO 4217 codes "
            "EUR, JPY, KRW, USD.",
        ),
        (
            "10.00",
            "usd",
            "currency",
            "Currency 'usd' is not supported; use one of the ISO 4217 codes "
            "EUR, JPY, KRW, USD.",
        ),
    ],
)
def test_bad_price_rejected(seller_client, price, currency, field, message):
    response = create(seller_client, price=price, currency=currency)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert Listing.objects.count() == 0


@pytest.mark.parametrize(
    ("price", "currency", "stored", "shown"),
    [
        ("15000", "KRW", Decimal("15000"), "15000"),
        ("15000.00", "KRW", Decimal("15000"), "15000"),
        ("0", "KRW", Decimal("0"), "0"),
        ("150000000", "KRW", Decimal("150000000"), "150000000"),
        ("980", "JPY", Decimal("980"), "980"),
        ("12.5", "USD", Decimal("12.50"), "12.50"),
        ("100000.00", "USD", Decimal("100000.00"), "100000.00"),
        ("0.99", "EUR", Decimal("0.99"), "0.99"),
    ],
)
def test_good_price_accepted(seller_client, price, currency, stored, shown):
    response = create(seller_client, price=price, currency=currency)

    assert response.status_code == 201
    assert response.json()["price"] == shown
    assert response.json()["currency"] == currency
    listing = Listing.objects.get()
    assert listing.price == stored


def test_price_not_a_number_rejected(seller_client):
    response = create(seller_client, price="NaN", currency="USD")

    assert response.status_code == 400
    assert list(response.json()) == ["price"]


def test_service_rejects_infinite_price(seller):
    with pytest.raises(services.InvalidListingError) as caught:
        services.create_listing(
            seller=seller,
            title="Camera",
            price=Decimal("Infinity"),
            currency="USD",
            condition="good",
        )

    assert caught.value.errors == {
        "price": ["Price Infinity is not a number; send an amount such as 10."]
    }


def test_new_listing_uses_default_currency(seller_client, settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "JPY"

    response = create(seller_client, price="12000")

    assert response.status_code == 201
    assert response.json()["currency"] == "JPY"


def test_default_currency_follows_its_rule(seller_client, settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "KRW"

    response = create(seller_client, price="9.99")

    assert response.status_code == 400
    assert response.json() == {
        "price": ["Price 9.99 KRW has 2 decimal places; KRW prices are whole numbers."]
    }


def test_unsupported_default_currency_raises(seller, settings):
    settings.MARKETPLACE_DEFAULT_CURRENCY = "XYZ"

    with pytest.raises(ImproperlyConfigured) as caught:
        services.create_listing(
            seller=seller, title="Camera", price=Decimal("10"), condition="good"
        )

    assert str(caught.value) == (
        "MARKETPLACE_DEFAULT_CURRENCY='XYZ' is not a supported currency; set it "
        "to one of EUR, JPY, KRW, USD."
    )
