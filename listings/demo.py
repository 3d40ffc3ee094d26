"""Demo sellers, listings and buyers built from the imported catalog.

Everything created here is labelled: the accounts have `is_demo` set, their
usernames start with "demo-" and every listing's description starts with
"Demo listing".
"""

import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count

from accounts.models import Neighbourhood, User
from listings.models import Listing, Product
from recommender.models import Interaction, Reviewer

logger = logging.getLogger(__name__)

# Real neighbourhoods (dong) with approximate centre coordinates.
DEMO_NEIGHBOURHOODS = [
    ("역삼동 Yeoksam-dong", 37.5006, 127.0364),
    ("망원동 Mangwon-dong", 37.5560, 126.9019),
    ("서교동 Seogyo-dong", 37.5537, 126.9196),
    ("잠실동 Jamsil-dong", 37.5133, 127.0857),
    ("신사동 Sinsa-dong", 37.5163, 127.0203),
    ("성수동 Seongsu-dong", 37.5446, 127.0557),
    ("우동 U-dong, Busan", 35.1631, 129.1635),
    ("정자동 Jeongja-dong, Seongnam", 37.3660, 127.1085),
]
USED_CONDITIONS = [
    Listing.Condition.LIKE_NEW,
    Listing.Condition.GOOD,
    Listing.Condition.GOOD,
    Listing.Condition.FAIR,
]
SOLD_SHARE = 0.05
# Demo buyers are picked among the reviewers with the longest histories.
BUYER_CANDIDATES = 50
TITLE_LENGTH = Listing._meta.get_field("title").max_length or 200


@dataclass
class DemoSummary:
    sellers: list[str] = field(default_factory=list)
    buyers: list[tuple[str, str, int]] = field(default_factory=list)
    listings_created: int = 0
    listings_existing: int = 0
    password: str = ""


@transaction.atomic
def seed_demo(
    *,
    password: str,
    seller_count: int = 8,
    listing_count: int = 2000,
    buyer_count: int = 3,
    seed: int = 0,
) -> DemoSummary:
    """Create or refresh the demo accounts and, once, the demo listings.

    Running it again resets the demo passwords to `password` and creates no
    second set of listings.
    """
    if not Product.objects.filter(has_metadata=True).exists():
        raise ValueError(
            "The catalog is empty; import product metadata with "
            "`python manage.py import_amazon` before seeding the demo."
        )
    rng = random.Random(seed)
    summary = DemoSummary(password=password)
    neighbourhoods = [
        Neighbourhood.objects.get_or_create(
            name=name, defaults={"latitude": latitude, "longitude": longitude}
        )[0]
        for name, latitude, longitude in DEMO_NEIGHBOURHOODS
    ]
    sellers = [
        _demo_user(f"demo-seller-{number}", f"Demo seller {number}", password)
        for number in range(1, seller_count + 1)
    ]
    summary.sellers = [seller.username for seller in sellers]

    existing = Listing.objects.filter(seller__in=sellers).count()
    if existing:
        summary.listings_existing = existing
    else:
        summary.listings_created = _create_listings(
            rng=rng,
            sellers=sellers,
            neighbourhoods=neighbourhoods,
            count=listing_count,
        )

    for number, reviewer in enumerate(_distinct_reviewers(buyer_count), start=1):
        buyer = _demo_user(f"demo-buyer-{number}", f"Demo buyer {number}", password)
        Reviewer.objects.filter(user=buyer).exclude(pk=reviewer.pk).update(user=None)
        reviewer.user = buyer
        reviewer.save(update_fields=["user"])
        history = reviewer.interactions.count()
        summary.buyers.append((buyer.username, reviewer.external_id, history))
    return summary


def _demo_user(username: str, display_name: str, password: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "is_demo": True},
    )
    user.is_demo = True
    user.display_name = display_name
    user.set_password(password)
    user.save()
    return user


def _create_listings(
    *,
    rng: random.Random,
    sellers: list[User],
    neighbourhoods: list[Neighbourhood],
    count: int,
) -> int:
    """List half the most-reviewed products and half a random sample."""
    by_popularity = list(
        Product.objects.filter(has_metadata=True)
        .annotate(reviews=Count("interactions"))
        .order_by("-reviews", "pk")
        .values_list("pk", flat=True)
    )
    popular = by_popularity[: count // 2]
    rest = by_popularity[count // 2 :]
    sample = rng.sample(rest, min(len(rest), count - len(popular)))
    products = Product.objects.select_related("category").in_bulk(popular + sample)

    listings = []
    for pk in popular + sample:
        product = products[pk]
        status = (
            Listing.Status.SOLD if rng.random() < SOLD_SHARE else Listing.Status.ACTIVE
        )
        listings.append(
            Listing(
                seller=rng.choice(sellers),
                product=product,
                category=product.category,
                title=(product.title or product.parent_asin)[:TITLE_LENGTH],
                description=(
                    "Demo listing: a used unit of this catalog product, "
                    "created for demonstration only."
                ),
                price=_used_price(rng, product.price),
                currency="USD",
                condition=rng.choice(USED_CONDITIONS),
                status=status,
                neighbourhood=rng.choice(neighbourhoods),
            )
        )
    Listing.objects.bulk_create(listings, batch_size=1000)
    return len(listings)


def _used_price(rng: random.Random, catalog_price: Decimal | None) -> Decimal:
    """Return a second-hand price: 45-85% of the catalog price if known."""
    if catalog_price is not None and catalog_price > 0:
        price = catalog_price * Decimal(str(round(rng.uniform(0.45, 0.85), 2)))
    else:
        price = Decimal(rng.randint(15, 150))
    return max(price, Decimal("1.00")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _distinct_reviewers(count: int) -> list[Reviewer]:
    """Pick reviewers with long histories and different tastes.

    Greedily adds, from the longest histories, the reviewer whose
    category mix (a vector of rating counts per category) has the lowest
    highest cosine similarity to those already picked.
    """
    candidates = list(
        Reviewer.objects.annotate(reviews=Count("interactions"))
        .filter(reviews__gt=0)
        .order_by("-reviews", "pk")[:BUYER_CANDIDATES]
    )
    mixes: dict[int, Counter[int]] = {reviewer.pk: Counter() for reviewer in candidates}
    rows = (
        Interaction.objects.filter(reviewer__in=candidates)
        .exclude(product__category=None)
        .values_list("reviewer_id", "product__category_id")
    )
    for reviewer_pk, category_pk in rows:
        mixes[reviewer_pk][category_pk] += 1

    chosen: list[Reviewer] = []
    for _ in range(min(count, len(candidates))):
        best = min(
            (reviewer for reviewer in candidates if reviewer not in chosen),
            key=lambda reviewer: max(
                (_cosine(mixes[reviewer.pk], mixes[other.pk]) for other in chosen),
                default=0.0,
            ),
        )
        chosen.append(best)
    return chosen


def _cosine(left: Counter[int], right: Counter[int]) -> float:
    dot = sum(count * right[key] for key, count in left.items())
    norm = math.sqrt(sum(v * v for v in left.values())) * math.sqrt(
        sum(v * v for v in right.values())
    )
    return dot / norm if norm else 0.0
