"""Check, clean and store listing photos.

An upload is identified from its content, never from its name or declared
content type: Pillow opens it with the decoders of the accepted formats
only. The pixel count is checked from the header before any pixel is
decoded, so a small file that decodes to a huge image (a decompression
bomb) is rejected without allocating it. The stored photo is re-encoded as
JPEG after the EXIF orientation is applied, and carries no EXIF or XMP
metadata, so the camera's GPS position never reaches other users.
"""

import functools
import io
import logging
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pillow_heif
from django.core.files.base import ContentFile, File
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from listings import services
from listings.models import Listing, ListingPhoto

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

MAX_PHOTOS_PER_LISTING: Final = 10
MAX_PHOTO_BYTES: Final = 20 * 1024 * 1024
# 50 megapixels admits the 48-megapixel main camera of recent phones and
# rejects larger images, which no listing needs.
MAX_PHOTO_PIXELS: Final = 50_000_000
# Maximum length of the longest side of a stored photo and of its
# thumbnail, in pixels.
STORED_PHOTO_MAX_SIDE: Final = 2048
THUMBNAIL_MAX_SIDE: Final = 400
JPEG_QUALITY: Final = 85

# Pillow format names of the accepted uploads; pillow-heif registers HEIF,
# which covers the HEIC files of iPhones.
ACCEPTED_FORMATS: Final = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPTED_FORMATS_TEXT: Final = "JPEG, PNG, WebP or HEIC"


class InvalidPhotoError(ValueError):
    """An upload that is not an acceptable photo; the message names it."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, re-encoded as JPEG without metadata."""

    original_name: str
    content: bytes
    width: int
    height: int


def prepare_photo(upload: File) -> PreparedPhoto:
    """Check an uploaded file and return it as a clean, upright JPEG.

    Raises:
        InvalidPhotoError: for a file that is too large, not an image of an
            accepted format, over MAX_PHOTO_PIXELS, truncated or corrupt.
    """
    name = upload.name or "photo"
    size = upload.size
    if size is not None and size > MAX_PHOTO_BYTES:
        raise InvalidPhotoError(
            f"Photo {name!r} is {size / 1024 / 1024:.1f} MiB; the maximum is "
            f"{MAX_PHOTO_BYTES // 1024 // 1024} MiB. Upload a smaller photo."
        )

    upload.seek(0)
    image = _open_image(upload, name)
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise InvalidPhotoError(
            f"Photo {name!r} is {width} x {height} pixels "
            f"({width * height / 1e6:.1f} megapixels); the maximum is "
            f"{MAX_PHOTO_PIXELS / 1e6:.0f} megapixels. Upload a smaller photo."
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidPhotoError(
            f"Photo {name!r} is truncated or corrupt and could not be read "
            f"({error}); upload the file again or export it once more."
        ) from error

    try:
        cleaned = _clean_image(image)
    except (OSError, SyntaxError, ValueError) as error:
        # NOTE: Pillow 13 skips the corrupt EXIF blocks that the tests try,
        # so this branch is a guard for ones that still raise.
        raise InvalidPhotoError(
            f"Photo {name!r} has unreadable metadata ({error}); export it "
            "once more and upload the new file."
        ) from error
    output = io.BytesIO()
    cleaned.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedPhoto(
        original_name=name,
        content=output.getvalue(),
        width=cleaned.width,
        height=cleaned.height,
    )


def _open_image(upload: File, name: str) -> Image.Image:
    try:
        # Pillow warns above its own pixel limit and raises at twice that
        # limit; both are far above MAX_PHOTO_PIXELS, which is checked next.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidPhotoError(
            f"Photo {name!r} decodes to too many pixels ({error}); the maximum "
            f"is {MAX_PHOTO_PIXELS / 1e6:.0f} megapixels."
        ) from error
    except UnidentifiedImageError as error:
        raise InvalidPhotoError(
            f"File {name!r} is not a {ACCEPTED_FORMATS_TEXT} image; upload a "
            "photo in one of these formats."
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise InvalidPhotoError(
            f"Photo {name!r} is truncated or corrupt and could not be read "
            f"({error}); upload the file again or export it once more."
        ) from error
    return image


def _clean_image(image: Image.Image) -> Image.Image:
    """Return `image` upright, in RGB, scaled to fit STORED_PHOTO_MAX_SIDE.

    Only the ICC colour profile is kept from the metadata, because the
    colours of wide-gamut phone photos depend on it.
    """
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    ):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    else:
        upright = upright.copy()
    upright.thumbnail((STORED_PHOTO_MAX_SIDE, STORED_PHOTO_MAX_SIDE))
    upright.info.clear()
    if icc_profile:
        upright.info["icc_profile"] = icc_profile
    return upright


def make_thumbnail(photo: ListingPhoto) -> None:
    """Store a small JPEG of `photo` in its `thumbnail` field."""
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        image.load()
        thumbnail = image.convert("RGB")
    thumbnail.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    output = io.BytesIO()
    thumbnail.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    photo.thumbnail.save(
        f"{uuid.uuid4().hex}.jpg", ContentFile(output.getvalue()), save=False
    )
    photo.save(update_fields=["thumbnail"])


def prepare_photos(uploads: Sequence[File]) -> list[PreparedPhoto]:
    """Check every upload before anything is stored.

    Raises:
        InvalidPhotoError: for more than MAX_PHOTOS_PER_LISTING uploads or
            the first upload that is not an acceptable photo.
    """
    if len(uploads) > MAX_PHOTOS_PER_LISTING:
        raise InvalidPhotoError(
            f"{len(uploads)} photos were uploaded; a listing has at most "
            f"{MAX_PHOTOS_PER_LISTING}."
        )
    return [prepare_photo(upload) for upload in uploads]


def store_photos(
    *, listing: Listing, photos: Sequence[PreparedPhoto], written: list[str]
) -> list[ListingPhoto]:
    """Save `photos` after the listing's existing ones, in one transaction.

    Each stored file name is appended to `written` as soon as it exists, so
    that the caller can delete the files when the transaction rolls back.
    The thumbnails are made by a Celery task after the commit.

    Raises:
        InvalidPhotoError: when the listing would have more than
            MAX_PHOTOS_PER_LISTING photos.
        ActionNotAllowedError: when the listing is sold.
    """
    from listings.tasks import make_listing_photo_thumbnail_task

    with transaction.atomic():
        # The lock serializes concurrent uploads to one listing, so two of
        # them cannot both pass the count check.
        locked = Listing.objects.select_for_update(of=("self",)).get(pk=listing.pk)
        if locked.status not in services.ALLOWED_FROM[services.ListingAction.EDIT]:
            raise services.ActionNotAllowedError(
                listing=locked, action=services.ListingAction.EDIT
            )
        existing = list(
            ListingPhoto.objects.filter(listing=listing).values_list(
                "position", flat=True
            )
        )
        if len(existing) + len(photos) > MAX_PHOTOS_PER_LISTING:
            raise InvalidPhotoError(
                f"Listing {listing.pk} has {len(existing)} photos and "
                f"{len(photos)} more were uploaded; a listing has at most "
                f"{MAX_PHOTOS_PER_LISTING}. Delete some photos first."
            )

        next_position = max(existing, default=-1) + 1
        created: list[ListingPhoto] = []
        for offset, prepared in enumerate(photos):
            photo = ListingPhoto(
                listing=listing,
                position=next_position + offset,
                width=prepared.width,
                height=prepared.height,
            )
            photo.image.save(
                f"{uuid.uuid4().hex}.jpg", ContentFile(prepared.content), save=False
            )
            written.append(photo.image.name)
            photo.save()
            created.append(photo)

        for photo in created:
            transaction.on_commit(
                functools.partial(make_listing_photo_thumbnail_task.delay, photo.pk)
            )
    logger.info("Stored %s photos for listing %s", len(created), listing.pk)
    return created


def add_listing_photos(
    *,
    listing: Listing,
    uploads: Sequence[File],
) -> list[ListingPhoto]:
    """Check and add photos to an existing listing, all or none.

    When any upload is rejected nothing is stored; when storing fails, the
    files already written are deleted.

    Raises:
        InvalidPhotoError: for a rejected upload or too many photos.
    """
    prepared = prepare_photos(uploads)
    written: list[str] = []
    try:
        return store_photos(listing=listing, photos=prepared, written=written)
    except BaseException:
        services.delete_stored_files(written)
        raise


@transaction.atomic
def delete_listing_photo(*, photo: ListingPhoto) -> None:
    """Delete one photo; its files are deleted after the commit."""
    names = [name for name in (photo.image.name, photo.thumbnail.name) if name]
    pk = photo.pk
    photo.delete()
    transaction.on_commit(lambda: services.delete_stored_files(names))
    logger.info("Deleted photo %s of listing %s", pk, photo.listing_id)


def create_listing_with_photos(
    *,
    uploads: Sequence[File],
    **fields: Any,
) -> Listing:
    """Create a listing and its photos in one transaction, all or none.

    `fields` are the keyword arguments of `services.create_listing`. When a
    photo is rejected, no listing is created and no file is left behind.

    Raises:
        InvalidPhotoError: for a rejected upload or too many photos.
        InvalidListingError: for invalid listing fields.
    """
    prepared = prepare_photos(uploads)
    written: list[str] = []
    try:
        with transaction.atomic():
            listing = services.create_listing(**fields)
            store_photos(listing=listing, photos=prepared, written=written)
    except BaseException:
        services.delete_stored_files(written)
        raise
    return listing
