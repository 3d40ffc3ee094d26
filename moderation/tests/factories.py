"""factory_boy factories for the moderation models."""

import factory

from moderation.models import Block, Report
from recommender.tests.factories import ListingFactory, UserFactory


class ListingReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    listing = factory.SubFactory(ListingFactory)
    reason = Report.Reason.SCAM
    text = "Asks for payment outside the app."


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
