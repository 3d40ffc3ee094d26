"""A small synthetic catalog with clear tastes, for feed and training tests.

Three product groups (cameras, headphones, consoles) of ten products each;
reviewers rate mostly within one group, so a trained model can tell the
groups apart in a few seconds.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from listings.models import Category, Listing, Product
from recommender.models import Interaction, Reviewer
from recommender.tests.factories import (
    CategoryFactory,
    ListingFactory,
    ProductFactory,
    ReviewerFactory,
    UserFactory,
)

GROUPS = {
    "cameras": ("Camera & Photo", "Canon", "mirrorless camera body"),
    "headphones": ("Headphones", "Sony", "wireless noise cancelling headphones"),
    "consoles": ("Video Game Consoles", "Nintendo", "handheld game console"),
}
PRODUCTS_PER_GROUP = 10
REVIEWERS_PER_GROUP = 12
RATINGS_PER_REVIEWER = 8


@dataclass
class Catalog:
    products: dict[str, list[Product]]
    reviewers: dict[str, list[Reviewer]]
    listings: dict[str, list[Listing]]


def build_catalog(*, seed: int = 7, with_listings: bool = True) -> Catalog:
    """Create the products, reviewers, ratings and one listing per product."""
    rng = random.Random(seed)
    seller = UserFactory(username="seller", is_demo=True)
    start = timezone.now() - dt.timedelta(days=400)
    products: dict[str, list[Product]] = {}
    reviewers: dict[str, list[Reviewer]] = {}
    listings: dict[str, list[Listing]] = {}
    for group, (category_name, store, noun) in GROUPS.items():
        category = CategoryFactory(
            name=category_name,
            path=f"Electronics{Category.PATH_SEPARATOR}{category_name}",
            depth=1,
        )
        products[group] = [
            ProductFactory(
                parent_asin=f"{group[:3].upper()}{number:07d}",
                title=f"{store} {noun} model {number}",
                store=store,
                category=category,
                price=Decimal(100 + 10 * number),
            )
            for number in range(PRODUCTS_PER_GROUP)
        ]
    interactions = []
    moment = start
    for group in GROUPS:
        reviewers[group] = []
        others = [g for g in GROUPS if g != group]
        for number in range(REVIEWERS_PER_GROUP):
            reviewer = ReviewerFactory(external_id=f"{group}-{number}")
            reviewers[group].append(reviewer)
            picks = rng.sample(products[group], RATINGS_PER_REVIEWER - 1)
            picks.append(rng.choice(products[rng.choice(others)]))
            rng.shuffle(picks)
            for product in picks:
                moment += dt.timedelta(minutes=rng.randint(1, 600))
                interactions.append(
                    Interaction(
                        reviewer=reviewer,
                        product=product,
                        kind=Interaction.Kind.REVIEW,
                        source=Interaction.Source.IMPORT,
                        rating=5,
                        occurred_at=moment,
                    )
                )
    Interaction.objects.bulk_create(interactions)
    if with_listings:
        for group in GROUPS:
            listings[group] = [
                ListingFactory(seller=seller, product=product, title=product.title)
                for product in products[group]
            ]
    return Catalog(products=products, reviewers=reviewers, listings=listings)
