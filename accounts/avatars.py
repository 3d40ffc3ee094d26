"""Validation of uploaded avatar images."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_avatar(upload: UploadedFile) -> None:
    """Check that an upload is a real image within the size limits.

    Reads only the header to learn the pixel size, so a decompression bomb
    is rejected before any pixel is decoded, then lets Pillow verify the
    whole file. Raises ValidationError with a message that names the limit.
    """
    max_bytes: int = settings.ACCOUNTS_AVATAR_MAX_BYTES
    max_side: int = settings.ACCOUNTS_AVATAR_MAX_SIDE
    name = upload.name or "upload"

    size = upload.size or 0
    if size > max_bytes:
        raise ValidationError(
            f"The avatar {name!r} is {size} bytes; the maximum is "
            f"{max_bytes} bytes. Upload a smaller image.",
            code="avatar_too_large",
        )

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(
                    f"The avatar {name!r} is a {image_format} image; upload "
                    f"one of {', '.join(sorted(ALLOWED_FORMATS))}.",
                    code="avatar_format",
                )
            if width > max_side or height > max_side:
                raise ValidationError(
                    f"The avatar {name!r} is {width}x{height} pixels; the "
                    f"maximum is {max_side} pixels per side. Upload a "
                    "smaller image.",
                    code="avatar_too_many_pixels",
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise ValidationError(
            f"The avatar {name!r} is not a valid image ({error}). Upload a "
            "JPEG, PNG, WebP or GIF file.",
            code="avatar_invalid",
        ) from error
    finally:
        upload.seek(0)
