import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from rest_framework.test import APIClient

from listings.models import Listing, ListingPhoto
from listings.photos import MAX_PHOTOS_PER_LISTING, add_listing_photos
from listings.tasks import make_listing_photo_thumbnail_task
from listings.tests import images
from recommender.tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTINGS_URL = "/api/v1/listings/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seller():
    return UserFactory(username="seller")


@pytest.fixture
def seller_client(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


@pytest.fixture
def listing(seller):
    return ListingFactory(seller=seller)


def photos_url(listing):
    return f"{LISTINGS_URL}{listing.pk}/photos/"


def stored_files(media_root: Path) -> list[Path]:
    if not media_root.exists():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def open_stored(photo: ListingPhoto) -> tuple[bytes, Image.Image]:
    with default_storage.open(photo.image.name, "rb") as stored:
        content = stored.read()
    image = Image.open(io.BytesIO(content))
    image.load()
    return content, image


def test_rotated_jpeg_is_upright_without_exif(
    seller_client, listing, django_capture_on_commit_callbacks
):
    jpeg = images.jpeg_with_gps_and_rotation()
    original = Image.open(io.BytesIO(jpeg))
    assert original.getexif().get_ifd(images.GPS_IFD)  # the input has GPS data

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(
            photos_url(listing),
            {"photos": [images.upload("IMG_0001.jpg", jpeg)]},
            format="multipart",
        )

    assert response.status_code == 201, response.content
    photo = ListingPhoto.objects.get(listing=listing)
    content, stored = open_stored(photo)
    assert stored.format == "JPEG"
    # 40 x 20 turned clockwise: the red left half is now on top.
    assert stored.size == (20, 40)
    assert (photo.width, photo.height) == (20, 40)
    top = stored.convert("RGB").getpixel((10, 5))
    bottom = stored.convert("RGB").getpixel((10, 35))
    assert top[0] > 200
    assert top[2] < 60
    assert bottom[2] > 200
    assert bottom[0] < 60
    assert len(stored.getexif()) == 0
    assert b"Exif\x00\x00" not in content
    assert b"http://ns.adobe.com/xap/1.0/" not in content
    body = response.json()
    assert [item["id"] for item in body["photos"]] == [photo.pk]


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_corrupt_exif_is_dropped(seller_client, listing):
    jpeg = images.encode(
        images.split_image(), "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff"
    )

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("odd.jpg", jpeg)]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    content, stored = open_stored(ListingPhoto.objects.get(listing=listing))
    assert stored.size == (40, 20)
    assert b"Exif\x00\x00" not in content


def test_png_renamed_jpg_is_accepted_by_content(seller_client, listing):
    png = images.encode(images.split_image(), "PNG")

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("photo.jpg", png, "image/jpeg")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    _, stored = open_stored(ListingPhoto.objects.get(listing=listing))
    assert stored.format == "JPEG"
    assert stored.size == (40, 20)


def test_transparent_png_gets_white_background(seller_client, listing):
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    png = images.encode(image, "PNG")

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("clear.png", png, "image/png")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    _, stored = open_stored(ListingPhoto.objects.get(listing=listing))
    assert stored.convert("RGB").getpixel((5, 5)) == (255, 255, 255)


def test_heic_is_converted_to_jpeg(seller_client, listing):
    heic = images.encode(images.split_image(128, 96), "HEIF", quality=90)

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("IMG_0002.HEIC", heic, "image/heic")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    _, stored = open_stored(ListingPhoto.objects.get(listing=listing))
    assert stored.format == "JPEG"
    assert stored.size == (128, 96)
    left = stored.convert("RGB").getpixel((10, 48))
    assert left[0] > 200
    assert left[2] < 60


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param(
            "notes.jpg",
            b"This is not an image at all.\n" * 10,
            "File 'notes.jpg' is not a JPEG, PNG, WebP or HEIC image; upload a "
            "photo in one of these formats.",
            id="text-named-jpg",
        ),
        pytest.param(
            "animation.gif",
            images.encode(images.split_image(), "GIF"),
            "File 'animation.gif' is not a JPEG, PNG, WebP or HEIC image; upload "
            "a photo in one of these formats.",
            id="gif",
        ),
        pytest.param(
            "bomb.png",
            images.blank_png(20_000, 20_000),
            "decodes to too many pixels",
            id="decompression-bomb",
        ),
        pytest.param(
            "huge.png",
            images.blank_png(10_000, 6_000),
            "Photo 'huge.png' is 10000 x 6000 pixels (60.0 megapixels); the "
            "maximum is 50 megapixels. Upload a smaller photo.",
            id="60-megapixels",
        ),
        pytest.param(
            "cut.jpg",
            images.noise_jpeg()[:4000],
            "Photo 'cut.jpg' is truncated or corrupt and could not be read",
            id="truncated",
        ),
    ],
)
def test_bad_photo_is_rejected(
    seller_client, listing, media_root, name, content, expected
):
    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload(name, content)]},
        format="multipart",
    )

    assert response.status_code == 400
    [message] = response.json()["photos"]
    assert expected in message
    assert ListingPhoto.objects.filter(listing=listing).count() == 0
    assert stored_files(media_root) == []


def test_bomb_message_names_the_file(seller_client, listing):
    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("bomb.png", images.blank_png(20_000, 20_000))]},
        format="multipart",
    )

    [message] = response.json()["photos"]
    assert message.startswith("Photo 'bomb.png' decodes to too many pixels")
    assert message.endswith("the maximum is 50 megapixels.")


def test_oversized_file_is_rejected(seller_client, listing, settings, monkeypatch):
    monkeypatch.setattr("listings.photos.MAX_PHOTO_BYTES", 1000)

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("big.jpg", images.noise_jpeg())]},
        format="multipart",
    )

    assert response.status_code == 400
    [message] = response.json()["photos"]
    assert message.startswith("Photo 'big.jpg' is ")
    assert message.endswith("MiB; the maximum is 0 MiB. Upload a smaller photo.")


def test_one_bad_photo_stores_none(seller_client, listing, media_root):
    good = images.encode(images.split_image(), "JPEG")

    response = seller_client.post(
        photos_url(listing),
        {
            "photos": [
                images.upload("a.jpg", good),
                images.upload("b.jpg", good),
                images.upload("c.jpg", b"not an image"),
            ]
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "'c.jpg'" in response.json()["photos"][0]
    assert ListingPhoto.objects.filter(listing=listing).count() == 0
    assert stored_files(media_root) == []


def test_failed_store_deletes_written_files(listing, media_root, monkeypatch):
    good = images.encode(images.split_image(), "JPEG")
    original_save = ListingPhoto.save
    calls = []

    def fail_on_second_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ListingPhoto, "save", fail_on_second_save)

    with pytest.raises(RuntimeError, match="database went away"):
        add_listing_photos(
            listing=listing,
            uploads=[images.upload("a.jpg", good), images.upload("b.jpg", good)],
        )

    assert ListingPhoto.objects.filter(listing=listing).count() == 0
    assert stored_files(media_root) == []


def test_create_with_bad_photo_creates_nothing(seller, seller_client, media_root):
    good = images.encode(images.split_image(), "JPEG")

    response = seller_client.post(
        LISTINGS_URL,
        {
            "title": "Galaxy S21",
            "price": "120",
            "currency": "USD",
            "condition": "good",
            "photos": [
                images.upload("front.jpg", good),
                images.upload("back.jpg", images.noise_jpeg()[:4000]),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "'back.jpg' is truncated or corrupt" in response.json()["photos"][0]
    assert not Listing.objects.filter(seller=seller).exists()
    assert stored_files(media_root) == []


def test_create_with_photos(seller, seller_client, django_capture_on_commit_callbacks):
    good = images.encode(images.split_image(), "JPEG")

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(
            LISTINGS_URL,
            {
                "title": "Galaxy S21",
                "price": "120",
                "currency": "USD",
                "condition": "good",
                "photos": [
                    images.upload("front.jpg", good),
                    images.upload(
                        "back.png", images.encode(images.split_image(), "PNG")
                    ),
                ],
            },
            format="multipart",
        )

    assert response.status_code == 201, response.content
    listing = Listing.objects.get(seller=seller)
    photos = list(listing.photos.all())
    assert [photo.position for photo in photos] == [0, 1]
    assert all(photo.thumbnail for photo in photos)
    assert [item["position"] for item in response.json()["photos"]] == [0, 1]


def test_eleventh_photo_is_rejected(seller_client, listing):
    good = images.encode(images.split_image(), "JPEG")
    first = [images.upload(f"{n}.jpg", good) for n in range(MAX_PHOTOS_PER_LISTING - 1)]
    assert (
        seller_client.post(
            photos_url(listing), {"photos": first}, format="multipart"
        ).status_code
        == 201
    )

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("x.jpg", good), images.upload("y.jpg", good)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["photos"] == [
        f"Listing {listing.pk} has 9 photos and 2 more were uploaded; a listing "
        "has at most 10. Delete some photos first."
    ]
    assert listing.photos.count() == MAX_PHOTOS_PER_LISTING - 1


def test_eleven_photos_in_one_request_are_rejected(seller_client, listing):
    good = images.encode(images.split_image(), "JPEG")
    uploads = [images.upload(f"{n}.jpg", good) for n in range(11)]

    response = seller_client.post(
        photos_url(listing), {"photos": uploads}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["photos"] == [
        "Ensure this field has no more than 10 elements."
    ]
    assert listing.photos.count() == 0


def test_thumbnail_task_runs_after_commit(
    seller_client, listing, django_capture_on_commit_callbacks
):
    good = images.encode(images.split_image(1000, 500), "JPEG")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = seller_client.post(
            photos_url(listing),
            {"photos": [images.upload("a.jpg", good)]},
            format="multipart",
        )

    assert response.status_code == 201
    photo = ListingPhoto.objects.get(listing=listing)
    assert not photo.thumbnail
    assert len(callbacks) == 1

    callbacks[0]()

    photo.refresh_from_db()
    with default_storage.open(photo.thumbnail.name, "rb") as stored:
        thumbnail = Image.open(stored)
        assert thumbnail.size == (400, 200)


def test_thumbnail_task_skips_done_and_deleted(listing):
    good = images.encode(images.split_image(), "JPEG")
    [photo] = add_listing_photos(
        listing=listing, uploads=[images.upload("a.jpg", good)]
    )

    assert make_listing_photo_thumbnail_task(photo.pk) is True
    assert make_listing_photo_thumbnail_task(photo.pk) is False
    assert make_listing_photo_thumbnail_task(photo.pk + 1000) is False


def test_other_user_cannot_add_or_delete_photos(listing):
    good = images.encode(images.split_image(), "JPEG")
    [photo] = add_listing_photos(
        listing=listing, uploads=[images.upload("a.jpg", good)]
    )
    other = APIClient()
    other.force_authenticate(UserFactory(username="other"))

    added = other.post(
        photos_url(listing),
        {"photos": [images.upload("b.jpg", good)]},
        format="multipart",
    )
    deleted = other.delete(f"{photos_url(listing)}{photo.pk}/")

    assert added.status_code == 404
    assert deleted.status_code == 404
    assert list(listing.photos.values_list("pk", flat=True)) == [photo.pk]


def test_anonymous_cannot_add_photos(listing):
    good = images.encode(images.split_image(), "JPEG")

    response = APIClient().post(
        photos_url(listing),
        {"photos": [images.upload("b.jpg", good)]},
        format="multipart",
    )

    assert response.status_code == 403
    assert listing.photos.count() == 0


def test_sold_listing_photos_cannot_change(seller_client, seller):
    listing = ListingFactory(seller=seller, status=Listing.Status.SOLD)
    good = images.encode(images.split_image(), "JPEG")

    response = seller_client.post(
        photos_url(listing),
        {"photos": [images.upload("b.jpg", good)]},
        format="multipart",
    )

    assert response.status_code == 409
    assert response.json()["status"] == "sold"
    assert listing.photos.count() == 0


def test_delete_photo_removes_files_after_commit(
    seller_client, listing, media_root, django_capture_on_commit_callbacks
):
    good = images.encode(images.split_image(), "JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        [photo] = add_listing_photos(
            listing=listing, uploads=[images.upload("a.jpg", good)]
        )
    assert len(stored_files(media_root)) == 2  # the photo and its thumbnail

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.delete(f"{photos_url(listing)}{photo.pk}/")

    assert response.status_code == 204
    assert not ListingPhoto.objects.filter(pk=photo.pk).exists()
    assert stored_files(media_root) == []


def test_delete_listing_removes_photo_files(
    seller_client, listing, media_root, django_capture_on_commit_callbacks
):
    good = images.encode(images.split_image(), "JPEG")
    add_listing_photos(listing=listing, uploads=[images.upload("a.jpg", good)])

    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.delete(f"{LISTINGS_URL}{listing.pk}/")

    assert response.status_code == 204
    assert stored_files(media_root) == []


def test_edit_cannot_change_photos(seller_client, listing):
    response = seller_client.patch(
        f"{LISTINGS_URL}{listing.pk}/",
        {"photos": [images.upload("a.jpg", b"x")]},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["photos"] == [
        "Photos cannot be changed by an edit; use the photos endpoint of the listing."
    ]
