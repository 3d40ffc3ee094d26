from rest_framework import serializers

from listings.models import Listing
from recommender.feed import STRATEGIES


class FeedListingSerializer(serializers.ModelSerializer[Listing]):
    neighbourhood = serializers.CharField(
        source="neighbourhood.name", default=None, read_only=True
    )
    parent_asin = serializers.CharField(
        source="product.parent_asin", default=None, read_only=True
    )
    image_url = serializers.CharField(read_only=True)
    seller = serializers.CharField(source="seller.__str__", read_only=True)
    seller_is_demo = serializers.BooleanField(source="seller.is_demo", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "price",
            "currency",
            "condition",
            "status",
            "neighbourhood",
            "parent_asin",
            "image_url",
            "seller",
            "seller_is_demo",
            "bumped_at",
        ]


class FeedItemSerializer(serializers.Serializer[object]):
    listing = FeedListingSerializer()
    score = serializers.FloatField(allow_null=True)
    reason = serializers.CharField()


class FeedPageSerializer(serializers.Serializer[object]):
    results = FeedItemSerializer(many=True, source="items")
    next = serializers.CharField(allow_null=True)
    strategy = serializers.ChoiceField(choices=list(STRATEGIES))
    model_version = serializers.IntegerField(allow_null=True, source="model_version_pk")
    gnn_version = serializers.IntegerField(allow_null=True, source="gnn_version_pk")
    request_id = serializers.UUIDField()


class NotInterestedSerializer(serializers.Serializer[object]):
    listing = serializers.IntegerField(source="listing_id")
    created = serializers.BooleanField()
