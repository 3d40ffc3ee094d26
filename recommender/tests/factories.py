"""factory_boy factories for the models of every app."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Neighbourhood, User
from listings.models import Category, Listing, Product
from recommender.models import Interaction, Reviewer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    latitude = 37.5
    longitude = 127.0


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("path",)

    name = factory.Sequence(lambda n: f"Category {n}")
    path = factory.LazyAttribute(lambda category: category.name)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("parent_asin",)

    parent_asin = factory.Sequence(lambda n: f"B{n:09d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    store = "Acme"
    price = Decimal("100.00")
    has_metadata = True


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    seller = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)
    title = factory.LazyAttribute(
        lambda listing: listing.product.title if listing.product else "Used item"
    )
    price = Decimal("50.00")
    currency = "USD"
    condition = Listing.Condition.GOOD
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    external_id = factory.Sequence(lambda n: f"REVIEWER{n}")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    reviewer = factory.SubFactory(ReviewerFactory)
    product = factory.SubFactory(ProductFactory)
    kind = Interaction.Kind.REVIEW
    source = Interaction.Source.IMPORT
    rating = 5.0
    occurred_at = factory.Sequence(
        lambda n: timezone.now() - dt.timedelta(days=1000) + dt.timedelta(hours=n)
    )


class SubcategoryFactory(CategoryFactory):
    """A category below `parent`, with its path and depth derived from it."""

    parent = factory.SubFactory(CategoryFactory)
    path = factory.LazyAttribute(
        lambda category: (
            f"{category.parent.path}{Category.PATH_SEPARATOR}{category.name}"
        )
    )
    depth = factory.LazyAttribute(lambda category: category.parent.depth + 1)
