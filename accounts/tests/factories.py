"""factory_boy factories for accounts."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import Neighbourhood, User, UserNeighbourhood

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `verified_email=True/False` adds an allauth EmailAddress."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if not create or extracted is None or not user.email:
            return
        EmailAddress.objects.create(
            user=user, email=user.email, verified=bool(extracted), primary=True
        )


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("name",)

    # Seogyo-dong, Mapo-gu, Seoul.
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    latitude = 37.5537
    longitude = 126.9196


class UserNeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserNeighbourhood

    user = factory.SubFactory(UserFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
