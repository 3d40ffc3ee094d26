import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserNeighbourhoodFactory
from listings.distance import format_distance
from recommender.tests.factories import ListingFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db

LISTINGS_URL = "/api/v1/listings/"


@pytest.fixture
def places():
    """Neighbourhoods at known haversine distances from Mangwon-dong."""
    return {
        "mangwon": NeighbourhoodFactory(
            name="Mangwon-dong", latitude=37.556, longitude=126.902
        ),
        # 0.35 km away.
        "mangwon_market": NeighbourhoodFactory(
            name="Mangwon Market", latitude=37.5585, longitude=126.9045
        ),
        # 1.24 km away.
        "hapjeong": NeighbourhoodFactory(
            name="Hapjeong-dong", latitude=37.549, longitude=126.913
        ),
        # 12.85 km away.
        "gangnam": NeighbourhoodFactory(
            name="Yeoksam-dong", latitude=37.498, longitude=127.028
        ),
        # 334.33 km away.
        "haeundae": NeighbourhoodFactory(
            name="U-dong", latitude=35.163, longitude=129.163
        ),
    }


@pytest.fixture
def listings(places):
    return {
        name: ListingFactory(title=f"Phone in {name}", neighbourhood=place)
        for name, place in places.items()
    }


def get(params):
    response = APIClient().get(LISTINGS_URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_near_shows_rounded_distance(places, listings):
    body = get({"near": places["mangwon"].pk, "ordering": "distance"})

    shown = [(item["neighbourhood"], item["distance"]) for item in body["results"]]
    assert shown == [
        ("Mangwon-dong", "under 1 km"),
        ("Mangwon Market", "under 1 km"),
        ("Hapjeong-dong", "1 km"),
        ("Yeoksam-dong", "13 km"),
        ("U-dong", "334 km"),
    ]


def test_response_has_no_coordinates(places, listings):
    body = get({"near": places["mangwon"].pk})

    text = json.dumps(body)
    for place in places.values():
        assert str(place.latitude) not in text
        assert str(place.longitude) not in text
    for key in ("latitude", "longitude", "distance_km"):
        assert key not in body["results"][0]


def test_radius_keeps_close_listings(places, listings):
    body = get({"near": places["mangwon"].pk, "radius_km": "5", "ordering": "distance"})

    assert [item["id"] for item in body["results"]] == [
        listings["mangwon"].pk,
        listings["mangwon_market"].pk,
        listings["hapjeong"].pk,
    ]


def test_radius_is_inclusive_and_decimal(places, listings):
    body = get(
        {"near": places["mangwon"].pk, "radius_km": "1.25", "ordering": "distance"}
    )

    assert [item["neighbourhood"] for item in body["results"]] == [
        "Mangwon-dong",
        "Mangwon Market",
        "Hapjeong-dong",
    ]


def test_near_leaves_out_listings_without_place(places, listings):
    nowhere = ListingFactory(neighbourhood=None)

    ids = [item["id"] for item in get({"near": places["mangwon"].pk})["results"]]

    assert nowhere.pk not in ids
    assert len(ids) == 5


def test_without_near_distance_is_null(listings):
    body = get({})

    assert {item["distance"] for item in body["results"]} == {None}


def test_distance_pages_cover_every_listing(places, listings):
    # Two listings in one neighbourhood tie on distance; the id breaks it.
    extra = ListingFactory(neighbourhood=places["hapjeong"])
    seen = []
    params = {"near": places["mangwon"].pk, "ordering": "distance", "page_size": 2}

    while True:
        body = get(params)
        seen.extend(item["id"] for item in body["results"])
        if body["next"] is None:
            break
        params["cursor"] = APIClient().get(body["next"]).wsgi_request.GET["cursor"]

    assert seen == [
        listings["mangwon"].pk,
        listings["mangwon_market"].pk,
        listings["hapjeong"].pk,
        extra.pk,
        listings["gangnam"].pk,
        listings["haeundae"].pk,
    ]


def test_cursor_of_other_place_is_rejected(places, listings):
    first = get({"near": places["mangwon"].pk, "ordering": "distance", "page_size": 1})
    cursor = APIClient().get(first["next"]).wsgi_request.GET["cursor"]

    response = APIClient().get(
        LISTINGS_URL,
        {"near": places["gangnam"].pk, "ordering": "distance", "cursor": cursor},
    )

    assert response.status_code == 400
    assert response.json()["cursor"] == [
        f"The cursor belongs to distances from neighbourhood "
        f"{places['mangwon'].pk}, not {places['gangnam'].pk}; request the first "
        "page without a cursor."
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"radius_km": "5"},
            "radius_km",
            "radius_km needs near, the neighbourhood id.",
        ),
        (
            {"ordering": "distance"},
            "ordering",
            "The distance ordering needs near, the neighbourhood id, or a "
            "confirmed home neighbourhood; give near or pick another ordering.",
        ),
        (
            {"near": "987654"},
            "near",
            "Neighbourhood 987654 was not found; check the id.",
        ),
        (
            {"near": "NEAR", "radius_km": "1001"},
            "radius_km",
            "Ensure this value is less than or equal to 1000.",
        ),
        (
            {"near": "NEAR", "radius_km": "-1"},
            "radius_km",
            "Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_bad_distance_query_is_rejected(places, params, field, message):
    query = {
        key: places["mangwon"].pk if value == "NEAR" else value
        for key, value in params.items()
    }

    response = APIClient().get(LISTINGS_URL, query)

    assert response.status_code == 400
    assert response.json()[field] == [message]


@pytest.mark.parametrize(
    ("kilometres", "expected"),
    [
        (None, None),
        ("0", "under 1 km"),
        ("0.999999", "under 1 km"),
        ("1", "1 km"),
        ("1.499999", "1 km"),
        ("1.5", "2 km"),
        ("334.332497", "334 km"),
    ],
)
def test_format_distance(kilometres, expected):
    value = None if kilometres is None else Decimal(kilometres)

    assert format_distance(value) == expected


def test_signed_in_user_gets_distances_from_home_neighbourhood(places, listings):
    membership = UserNeighbourhoodFactory(
        neighbourhood=places["hapjeong"], confirmed_at=timezone.now()
    )
    client = APIClient()
    client.force_authenticate(membership.user)

    response = client.get(LISTINGS_URL, {"ordering": "distance"})

    assert response.status_code == 200, response.content
    shown = [
        (item["neighbourhood"], item["distance"]) for item in response.json()["results"]
    ]
    assert shown == [
        ("Hapjeong-dong", "under 1 km"),
        ("Mangwon-dong", "1 km"),
        ("Mangwon Market", "1 km"),
        ("Yeoksam-dong", "12 km"),
        ("U-dong", "333 km"),
    ]


def test_expired_home_neighbourhood_gives_no_default(places, listings):
    membership = UserNeighbourhoodFactory(
        neighbourhood=places["hapjeong"],
        confirmed_at=timezone.now() - timedelta(days=31),
    )
    client = APIClient()
    client.force_authenticate(membership.user)

    response = client.get(LISTINGS_URL)

    assert response.status_code == 200, response.content
    assert [item["distance"] for item in response.json()["results"]] == [None] * 5
