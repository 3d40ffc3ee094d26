"""Profile edits, avatar validation and neighbourhood confirmation."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.geo import haversine_km
from accounts.models import User, UserNeighbourhood
from accounts.selectors import home_neighbourhood
from accounts.tests.factories import (
    NeighbourhoodFactory,
    UserFactory,
    UserNeighbourhoodFactory,
)

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"
MY_NEIGHBOURHOODS_URL = "/api/v1/me/neighbourhoods/"
# Seogyo-dong centre, and a point about 1.1 km north-east of it.
CENTRE = (37.5537, 126.9196)
NEARBY = (37.5620, 126.9270)
# About 20 km south-east of the centre.
FAR_AWAY = (37.4407, 127.0960)


def image_file(name="avatar.png", size=(64, 64), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color=(200, 80, 20)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def user():
    return UserFactory(display_name="Before", verified_email=True)


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_me_shows_neutral_trust_score(api, user):
    response = api.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["trust_score"] == "36.5"
    assert response.json()["display_name"] == "Before"
    assert response.json()["neighbourhoods"] == []


def test_update_display_name_and_avatar(api, user):
    response = api.patch(
        ME_URL,
        {"display_name": "  Seller Kim ", "avatar": image_file()},
        format="multipart",
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "Seller Kim"
    assert user.avatar.name.startswith("avatars/")
    assert response.json()["avatar"].endswith(".png")


def test_oversized_avatar_rejected(api, user, settings):
    settings.ACCOUNTS_AVATAR_MAX_BYTES = 1000
    upload = image_file(size=(400, 400), image_format="BMP")
    upload.name = "huge.bmp"

    response = api.patch(ME_URL, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    message = response.json()["avatar"][0]
    assert message.startswith("The avatar 'huge.bmp' is ")
    assert message.endswith("bytes; the maximum is 1000 bytes. Upload a smaller image.")
    user.refresh_from_db()
    assert user.avatar.name == ""
    assert user.display_name == "Before"


def test_too_many_pixels_rejected(api, user, settings):
    settings.ACCOUNTS_AVATAR_MAX_SIDE = 100

    response = api.patch(
        ME_URL, {"avatar": image_file(size=(101, 50))}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["avatar"] == [
        "The avatar 'avatar.png' is 101x50 pixels; the maximum is 100 pixels "
        "per side. Upload a smaller image."
    ]


def test_non_image_avatar_rejected(api, user):
    upload = SimpleUploadedFile("cv.png", b"%PDF-1.4 not an image", "image/png")

    response = api.patch(
        ME_URL, {"avatar": upload, "display_name": "After"}, format="multipart"
    )

    assert response.status_code == 400
    message = response.json()["avatar"][0]
    assert message.startswith("The avatar 'cv.png' is not a valid image (")
    assert message.endswith("Upload a JPEG, PNG, WebP or GIF file.")
    user.refresh_from_db()
    assert user.display_name == "Before"
    assert user.avatar.name == ""


def test_truncated_image_rejected(api, user):
    data = image_file().read()
    upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], "image/png")

    response = api.patch(ME_URL, {"avatar": upload}, format="multipart")

    assert response.status_code == 400
    assert "is not a valid image" in response.json()["avatar"][0]


def test_add_two_neighbourhoods_then_reject_third(api, user):
    first, second, third = (
        NeighbourhoodFactory(name=name) for name in ("Mangwon", "Hapjeong", "Yeonnam")
    )

    statuses = [
        api.post(MY_NEIGHBOURHOODS_URL, {"neighbourhood": n.pk}).status_code
        for n in (first, second)
    ]
    response = api.post(MY_NEIGHBOURHOODS_URL, {"neighbourhood": third.pk})

    assert statuses == [201, 201]
    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            "You already have 2 neighbourhoods ('Mangwon', 'Hapjeong'); the "
            "maximum is 2. Remove one before adding 'Yeonnam'."
        ]
    }
    assert UserNeighbourhood.objects.filter(user=user).count() == 2


def test_duplicate_neighbourhood_rejected(api, user):
    place = NeighbourhoodFactory(name="Mangwon")
    api.post(MY_NEIGHBOURHOODS_URL, {"neighbourhood": place.pk})

    response = api.post(MY_NEIGHBOURHOODS_URL, {"neighbourhood": place.pk})

    assert response.status_code == 400
    assert response.json() == {
        "detail": ["'Mangwon' is already one of your neighbourhoods."]
    }


def test_confirm_within_radius(api, user):
    place = NeighbourhoodFactory(name="Seogyo", latitude=CENTRE[0], longitude=CENTRE[1])
    UserNeighbourhoodFactory(user=user, neighbourhood=place)

    response = api.post(
        f"{MY_NEIGHBOURHOODS_URL}{place.pk}/confirm/",
        {"latitude": NEARBY[0], "longitude": NEARBY[1]},
    )

    assert response.status_code == 200
    assert response.json()["is_confirmed"] is True
    assert response.json()["neighbourhood"] == {"id": place.pk, "name": "Seogyo"}
    assert home_neighbourhood(user) == place


def test_confirm_from_20_km_rejected(api, user):
    place = NeighbourhoodFactory(name="Seogyo", latitude=CENTRE[0], longitude=CENTRE[1])
    membership = UserNeighbourhoodFactory(user=user, neighbourhood=place)
    distance = haversine_km(*FAR_AWAY, *CENTRE)
    assert 19.5 < distance < 20.5

    response = api.post(
        f"{MY_NEIGHBOURHOODS_URL}{place.pk}/confirm/",
        {"latitude": FAR_AWAY[0], "longitude": FAR_AWAY[1]},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            f"Your location is {distance:.1f} km from the centre of 'Seogyo'; "
            "it must be within 6 km. Confirm again from inside the "
            "neighbourhood."
        ]
    }
    membership.refresh_from_db()
    assert membership.confirmed_at is None
    assert home_neighbourhood(user) is None


def test_confirm_rejects_invalid_coordinates(api, user):
    place = NeighbourhoodFactory(name="Seogyo")
    UserNeighbourhoodFactory(user=user, neighbourhood=place)

    response = api.post(
        f"{MY_NEIGHBOURHOODS_URL}{place.pk}/confirm/",
        {"latitude": 91, "longitude": "east"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"latitude", "longitude"}


def test_confirm_unknown_membership_is_404(api):
    place = NeighbourhoodFactory(name="Elsewhere")

    response = api.post(
        f"{MY_NEIGHBOURHOODS_URL}{place.pk}/confirm/",
        {"latitude": CENTRE[0], "longitude": CENTRE[1]},
    )

    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"Neighbourhood {place.pk} is not one of your neighbourhoods. Add it "
        "first with POST /api/v1/me/neighbourhoods/."
    )


def test_home_neighbourhood_expires(user, settings):
    settings.ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS = 30
    now = timezone.now()
    old = UserNeighbourhoodFactory(
        user=user,
        neighbourhood=NeighbourhoodFactory(name="Old"),
        confirmed_at=now - dt.timedelta(days=31),
    )
    recent = UserNeighbourhoodFactory(
        user=user,
        neighbourhood=NeighbourhoodFactory(name="Recent"),
        confirmed_at=now - dt.timedelta(days=2),
    )

    assert home_neighbourhood(user) == recent.neighbourhood
    recent.confirmed_at = now - dt.timedelta(days=30, seconds=1)
    recent.save()
    assert home_neighbourhood(user) is None
    old.confirmed_at = now - dt.timedelta(days=1)
    old.save()
    assert home_neighbourhood(user) == old.neighbourhood


def test_home_neighbourhood_prefers_latest_confirmation(user):
    now = timezone.now()
    UserNeighbourhoodFactory(
        user=user,
        neighbourhood=NeighbourhoodFactory(name="Earlier"),
        confirmed_at=now - dt.timedelta(days=5),
    )
    latest = UserNeighbourhoodFactory(
        user=user,
        neighbourhood=NeighbourhoodFactory(name="Latest"),
        confirmed_at=now - dt.timedelta(hours=1),
    )

    assert home_neighbourhood(user) == latest.neighbourhood


def test_public_profile_hides_coordinates_and_email(user):
    place = NeighbourhoodFactory(name="Seogyo", latitude=37.5537, longitude=126.9196)
    UserNeighbourhoodFactory(
        user=user, neighbourhood=place, confirmed_at=timezone.now()
    )

    response = APIClient().get(f"/api/v1/users/{user.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["neighbourhoods"] == ["Seogyo"]
    assert body["name"] == "Before"
    assert body["trust_score"] == "36.5"
    assert "37.5537" not in str(body)
    assert "126.9196" not in str(body)
    assert "email" not in body
    assert user.email not in str(body)


def test_neighbourhood_list_has_no_coordinates():
    NeighbourhoodFactory(name="Seogyo", latitude=37.5537, longitude=126.9196)

    response = APIClient().get("/api/v1/neighbourhoods/", {"q": "seo"})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["Seogyo"]
    assert set(response.json()[0]) == {"id", "name"}


def test_haversine_known_distance():
    # Seoul City Hall to Busan City Hall is about 325 km.
    assert 320 < haversine_km(37.5663, 126.9779, 35.1798, 129.0750) < 330
    assert haversine_km(*CENTRE, *CENTRE) == 0.0


def test_profile_page_rejects_non_image(client, user):
    client.force_login(user)
    upload = SimpleUploadedFile("note.png", b"plain text", "image/png")

    response = client.post(
        "/accounts/profile/", {"display_name": "Page", "avatar": upload}
    )

    assert response.status_code == 200
    assert b"is not a valid image" in response.content
    user.refresh_from_db()
    assert user.display_name == "Before"


def test_profile_page_saves(client, user):
    client.force_login(user)

    response = client.post("/accounts/profile/", {"display_name": "Page name"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Page name"
    assert User.objects.get(pk=user.pk).display_name == "Page name"


def test_neighbourhood_pages_confirm(client, user):
    client.force_login(user)
    place = NeighbourhoodFactory(name="Seogyo", latitude=CENTRE[0], longitude=CENTRE[1])

    client.post("/accounts/profile/neighbourhoods/add/", {"neighbourhood": place.pk})
    far = client.post(
        f"/accounts/profile/neighbourhoods/{place.pk}/confirm/",
        {"latitude": FAR_AWAY[0], "longitude": FAR_AWAY[1]},
        follow=True,
    )
    near = client.post(
        f"/accounts/profile/neighbourhoods/{place.pk}/confirm/",
        {"latitude": NEARBY[0], "longitude": NEARBY[1]},
        follow=True,
    )

    assert b"km from the centre of &#x27;Seogyo&#x27;" in far.content
    assert b"Seogyo confirmed." in near.content
    assert home_neighbourhood(user) == place
