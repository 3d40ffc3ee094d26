"""Check and normalize the fields of an item metadata record.

The limits follow the database columns of listings.Product and
listings.Category. No Django imports here.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from recommender.importing.json_values import JsonContainer, find_unstorable_json
from recommender.importing.records import LineProblem, ProductRecord, Severity

MAX_PARENT_ASIN_LENGTH = 32
MAX_USER_ID_LENGTH = 64
MAX_STORE_LENGTH = 255
MAX_MAIN_CATEGORY_LENGTH = 100
MAX_CATEGORY_NAME_LENGTH = 200
MAX_CATEGORY_PATH_LENGTH = 1000
# PostgreSQL's btree index on Category.path takes at most 2,704 bytes per
# entry (for the default 8 kB page), so longer UTF-8 paths fail at insert.
MAX_CATEGORY_PATH_BYTES = 2_600
CATEGORY_PATH_SEPARATOR = " > "  # the same as listings.Category.PATH_SEPARATOR
MAX_PRICE = Decimal("9999999999.99")  # DecimalField(max_digits=12, places=2)
MAX_RATING_COUNT = 2_147_483_647  # PositiveIntegerField on PostgreSQL
CENT = Decimal("0.01")
MAX_MESSAGE_VALUE_LENGTH = 80
Warn = Callable[[str, str], None]

# reprlib limits the depth and size of what it renders, so a message never
# renders a deeply nested or huge value in full.
_message_repr = reprlib.Repr()
_message_repr.maxlevel = 3
_message_repr.maxstring = _message_repr.maxlong = _message_repr.maxother = 200


class InvalidValueError(ValueError):
    """A line that cannot be imported, with a `reason` and a `message`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def shorten_repr(value: object) -> str:
    """Return repr(value) for a message, cut after 80 characters with "..."."""
    text = _message_repr.repr(value)
    if len(text) <= MAX_MESSAGE_VALUE_LENGTH:
        return text
    return text[:MAX_MESSAGE_VALUE_LENGTH] + "..."


def parse_product(
    line_number: int, fields: dict[str, Any]
) -> tuple[ProductRecord, list[LineProblem]]:
    """Build a product record, clearing each invalid optional value.

    A missing parent_asin raises InvalidValueError. Every other field falls
    back to empty or unknown, with a warning for a value that was present
    but invalid.
    """
    parent_asin = fields.get("parent_asin")
    if not isinstance(parent_asin, str) or not parent_asin.strip():
        raise InvalidValueError(
            "missing parent_asin", "parent_asin is missing or empty"
        )
    parent_asin = parent_asin.strip()
    if len(parent_asin) > MAX_PARENT_ASIN_LENGTH:
        raise InvalidValueError(
            "parent_asin too long",
            f"parent_asin {parent_asin[:80]!r} is longer than "
            f"{MAX_PARENT_ASIN_LENGTH} characters",
        )

    warnings: list[LineProblem] = []

    def warn(reason: str, message: str) -> None:
        warnings.append(LineProblem(line_number, reason, message, Severity.WARNING))

    record = ProductRecord(
        line_number=line_number,
        parent_asin=parent_asin,
        title=_parse_text(fields.get("title"), "title", warn),
        store=_parse_short_text(fields.get("store"), "store", MAX_STORE_LENGTH, warn),
        main_category=_parse_short_text(
            fields.get("main_category"),
            "main_category",
            MAX_MAIN_CATEGORY_LENGTH,
            warn,
        ),
        categories=_parse_categories(fields.get("categories"), warn),
        features=_parse_text_list(fields.get("features"), "features", warn),
        description=_parse_text_list(fields.get("description"), "description", warn),
        price=_parse_price(fields.get("price"), warn),
        average_rating=_parse_average_rating(fields.get("average_rating"), warn),
        rating_count=_parse_rating_count(fields.get("rating_number"), warn),
        image_urls=_parse_image_urls(fields.get("images")),
        details=_parse_details(fields.get("details"), warn),
    )
    return record, warnings


def _parse_text(value: object, name: str, warn: Warn) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    warn(f"invalid {name}", f"{name} {shorten_repr(value)} is not text; stored empty")
    return ""


def _parse_short_text(value: object, name: str, max_length: int, warn: Warn) -> str:
    text = _parse_text(value, name, warn).strip()
    if len(text) > max_length:
        warn(
            f"{name} too long",
            f"{name} {text[:40]!r}... is longer than {max_length} characters; "
            "stored cut to that length",
        )
        return text[:max_length]
    return text


def _parse_categories(value: object, warn: Warn) -> tuple[str, ...]:
    """Return the category path from the root, or () when there is none.

    An empty list gives no category: the product keeps its main_category
    field, but main_category is not made a node, because it names a store
    department ("All Electronics") rather than a level of the tree.
    """
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        warn(
            "invalid categories",
            f"categories {shorten_repr(value)} is not a list of names; stored without "
            "a category",
        )
        return ()
    names = tuple(name.strip() for name in value if name.strip())
    path = CATEGORY_PATH_SEPARATOR.join(names)
    too_long_name = any(len(name) > MAX_CATEGORY_NAME_LENGTH for name in names)
    if too_long_name or len(path) > MAX_CATEGORY_PATH_LENGTH:
        warn(
            "invalid categories",
            f"category path {path[:80]!r}... has a name longer than "
            f"{MAX_CATEGORY_NAME_LENGTH} or a path longer than "
            f"{MAX_CATEGORY_PATH_LENGTH} characters; stored without a category",
        )
        return ()
    path_bytes = len(path.encode("utf-8", "surrogatepass"))
    if path_bytes > MAX_CATEGORY_PATH_BYTES:
        warn(
            "invalid categories",
            f"category path {shorten_repr(path)} is {path_bytes:,} bytes in "
            f"UTF-8, more than the {MAX_CATEGORY_PATH_BYTES:,} bytes that the "
            "index on category paths accepts; stored without a category",
        )
        return ()
    return names


def _parse_text_list(value: object, name: str, warn: Warn) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        warn(
            f"invalid {name}",
            f"{name} {shorten_repr(value)} is not a list; stored empty",
        )
        return []
    return value if _check_json_field(value, name, warn) else []


def _parse_price(value: object, warn: Warn) -> Decimal | None:
    """Return the price in dollars rounded to cents, or None when unknown."""
    if value is None:
        return None
    price: Decimal | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isfinite(value):
            price = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            price = Decimal(value.strip())
        except InvalidOperation:
            price = None
        if price is not None and not price.is_finite():
            price = None
    if price is None:
        warn(
            "price not a number",
            f"price {shorten_repr(value)} is not a number; stored as unknown",
        )
        return None
    # quantize raises InvalidOperation when the result has more digits than
    # the context allows (28), so a price far out of range is not rounded.
    if abs(price) <= MAX_PRICE + 1:
        price = price.quantize(CENT, rounding=ROUND_HALF_UP)
    if not 0 <= price <= MAX_PRICE:
        warn(
            "price out of range",
            f"price {shorten_repr(value)} is outside 0 to {MAX_PRICE}; stored as "
            "unknown",
        )
        return None
    return price


def _parse_average_rating(value: object, warn: Warn) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 0 <= value <= 5
    ):
        return float(value)
    warn(
        "invalid average_rating",
        f"average_rating {shorten_repr(value)} is not a number from 0 to 5; "
        "stored as unknown",
    )
    return None


def _parse_rating_count(value: object, warn: Warn) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value <= MAX_RATING_COUNT
    ):
        return value
    warn(
        "invalid rating_number",
        f"rating_number {shorten_repr(value)} is not a count; stored as unknown",
    )
    return None


def _parse_image_urls(value: object) -> list[str]:
    """Return the large image URLs.

    The raw metadata has a list of dicts with `thumb`, `large`, `hi_res` and
    `variant`, and the 5-core metadata has dicts with only `large`. A plain URL
    string in the list is kept as it is.
    """
    if not isinstance(value, list):
        return []
    urls = []
    for image in value:
        if isinstance(image, str):
            url: object = image
        elif isinstance(image, dict):
            url = image.get("large") or image.get("hi_res") or image.get("thumb")
        else:
            continue
        if isinstance(url, str) and url:
            urls.append(url)
    return urls


def _parse_details(value: object, warn: Warn) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        warn(
            "invalid details",
            f"details {shorten_repr(value)} is not an object; stored empty",
        )
        return {}
    return value if _check_json_field(value, "details", warn) else {}


def _check_json_field(value: JsonContainer, name: str, warn: Warn) -> bool:
    problem = find_unstorable_json(value)
    if problem is not None:
        warn(f"invalid {name}", f"{name} {problem}; stored empty")
    return problem is None
