"""factory_boy factories for the orders models."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from listings.models import Listing
from orders.models import Favorite, Offer
from recommender.tests.factories import ListingFactory, UserFactory


class FavoriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(ListingFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    listing = factory.SubFactory(ListingFactory)
    buyer = factory.SubFactory(UserFactory)
    amount = Decimal("40.00")
    currency = factory.LazyAttribute(lambda offer: offer.listing.currency)


def hold_listing(listing, buyer, *, amount=Decimal("40.00"), hours=24):
    """Reserve `listing` for `buyer` through an accepted offer; return it."""
    Listing.objects.filter(pk=listing.pk).update(
        status=Listing.Status.RESERVED, reserved_for=buyer
    )
    listing.refresh_from_db()
    return OfferFactory(
        listing=listing,
        buyer=buyer,
        amount=amount,
        accepted_amount=amount,
        status=Offer.Status.ACCEPTED,
        hold_expires_at=timezone.now() + dt.timedelta(hours=hours),
    )
