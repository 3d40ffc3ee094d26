"""Image files built in memory for the photo tests."""

import io
import random
import struct
import zlib

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pillow_heif.register_heif_opener()

RED = (255, 0, 0)
BLUE = (0, 0, 255)
# EXIF tag numbers.
ORIENTATION = 0x0112
GPS_IFD = 0x8825
# Orientation 6: the camera was turned, so viewers rotate 90 degrees clockwise.
ROTATE_CLOCKWISE = 6


def upload(name: str, content: bytes, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def split_image(width: int = 40, height: int = 20) -> Image.Image:
    """Return an image whose left half is red and right half blue."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    return image


def jpeg_with_gps_and_rotation() -> bytes:
    """Return a 40 x 20 JPEG tagged to rotate clockwise, with GPS in Seoul."""
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATE_CLOCKWISE
    exif[GPS_IFD] = {1: "N", 2: (37.0, 33.0, 0.0), 3: "E", 4: (126.0, 58.0, 0.0)}
    output = io.BytesIO()
    split_image().save(output, format="JPEG", quality=95, exif=exif.tobytes())
    return output.getvalue()


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def noise_jpeg(size: int = 300) -> bytes:
    """Return a JPEG of seeded random pixels, which compress poorly."""
    pixels = random.Random(0).randbytes(size * size * 3)
    image = Image.frombytes("RGB", (size, size), pixels)
    return encode(image, "JPEG", quality=95)


def blank_png(width: int, height: int) -> bytes:
    """Return a valid 1-bit PNG of `width` x `height` black pixels.

    The rows compress to almost nothing, so a PNG that decodes to hundreds
    of megapixels is small (48 KB for 20,000 x 20,000): a decompression bomb.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height))
    pixels += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )
