"""Fixtures for the Amazon import tests: data locations and input lines.

The line builders return lines in the exact Amazon Reviews 2023 formats.
A keyword argument overrides a field, and the value ... (Ellipsis) leaves
the field out.
"""

import gzip
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# 2021-01-01T00:00:00Z in milliseconds.
BASE_TIMESTAMP_MS = 1_609_459_200_000
CSV_HEADER = "user_id,parent_asin,rating,timestamp"


def build_review_line(
    user_id: object = "USER1",
    parent_asin: object = "B000000001",
    rating: object = 5.0,
    timestamp: object = BASE_TIMESTAMP_MS,
    **overrides: Any,
) -> str:
    fields: dict[str, Any] = {
        "rating": rating,
        "title": "Works well",
        "text": "It does what it says.",
        "images": [],
        "asin": parent_asin,
        "parent_asin": parent_asin,
        "user_id": user_id,
        "timestamp": timestamp,
        "helpful_vote": 0,
        "verified_purchase": True,
        **overrides,
    }
    return json.dumps({key: value for key, value in fields.items() if value != ...})


def build_metadata_line(parent_asin: object = "B000000001", **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "main_category": "All Electronics",
        "title": f"Product {parent_asin}",
        "average_rating": 4.5,
        "rating_number": 12,
        "features": ["Small", "Light"],
        "description": ["A product."],
        "price": 19.99,
        "images": [
            {
                "thumb": f"https://example.com/{parent_asin}_thumb.jpg",
                "large": f"https://example.com/{parent_asin}_large.jpg",
                "variant": "MAIN",
                "hi_res": None,
            }
        ],
        "videos": [],
        "store": "Acme",
        "categories": ["Electronics", "Computers & Accessories", "Laptops"],
        "details": {"Brand": "Acme"},
        "parent_asin": parent_asin,
        "bought_together": None,
        **overrides,
    }
    return json.dumps({key: value for key, value in fields.items() if value != ...})


def build_csv_line(
    user_id: str = "USER1",
    parent_asin: str = "B000000001",
    rating: object = "5.0",
    timestamp: object = BASE_TIMESTAMP_MS,
) -> str:
    return f"{user_id},{parent_asin},{rating},{timestamp}"


@pytest.fixture
def review_line() -> Callable[..., str]:
    return build_review_line


@pytest.fixture
def metadata_line() -> Callable[..., str]:
    return build_metadata_line


@pytest.fixture
def csv_line() -> Callable[..., str]:
    return build_csv_line


@pytest.fixture
def electronics_dir() -> Path:
    return Path(settings.MARKETPLACE_DATA_DIR) / "amazon2023" / "electronics"


@pytest.fixture
def write_input(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes lines to a file in tmp_path.

    Lines may be str or bytes, and each gets a trailing newline. With
    gzipped=True the file is gzip-compressed whatever its name.
    """

    def write(
        name: str, lines: Sequence[str | bytes], *, gzipped: bool = False
    ) -> Path:
        content = b"".join(
            (line.encode() if isinstance(line, str) else line) + b"\n" for line in lines
        )
        path = tmp_path / name
        path.write_bytes(gzip.compress(content) if gzipped else content)
        return path

    return write


@pytest.fixture(autouse=True)
def check_index_every_request(settings):
    """Let each feed request see index and fresh-vector changes at once."""
    settings.RECOMMENDER_INDEX_CHECK_SECONDS = 0
