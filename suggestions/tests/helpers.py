"""Shared builders of the suggestions tests."""

from decimal import Decimal

from django.conf import settings
from django.test import Client

from listings.models import Listing
from recommender.ml.tailnet import TailNetConfig
from recommender.models import ModelVersion
from recommender.tests.factories import ListingFactory, ProductFactory, UserFactory
from suggestions.training import sequence_examples, train_and_register


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_market():
    """Return a buyer and listings: buyable ones, a sold one, the buyer's own.

    Products are rated so that popularity orders them: the sold and own
    listings belong to the most popular products, so a filter that fails
    puts them first.
    """
    buyer = UserFactory(username="buyer")
    seller = UserFactory(username="seller")
    products = {
        name: ProductFactory(parent_asin=f"B0000000{number:02d}", rating_count=count)
        for number, (name, count) in enumerate(
            [
                ("sold", 900),
                ("own", 800),
                ("camera", 500),
                ("lens", 400),
                ("tripod", 300),
                ("bag", 200),
                ("strap", 100),
            ]
        )
    }
    listings = {
        name: ListingFactory(
            seller=seller, product=product, title=name, price=Decimal("10.00")
        )
        for name, product in products.items()
    }
    sold = listings["sold"]
    sold.status = Listing.Status.SOLD
    sold.reserved_for = buyer
    sold.save()
    own = listings["own"]
    own.seller = buyer
    own.save()
    return buyer, listings


def register_tailnet(sequences, *, epochs=30) -> ModelVersion:
    """Train a tiny TailNet on `sequences` of product ids and promote it."""
    config = TailNetConfig(
        embedding_dim=8,
        hidden_dim=8,
        dropout=0.0,
        epochs=epochs,
        batch_size=16,
        learning_rate=0.05,
    )
    examples, item_ids, click_counts = sequence_examples(
        sequences, max_length=config.max_length
    )
    return train_and_register(examples, item_ids, click_counts, config)
