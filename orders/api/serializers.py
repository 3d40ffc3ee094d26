from decimal import Decimal

from rest_framework import serializers

from orders.models import Favorite, Offer, Order, OrderItem, Rating


class ListingSummarySerializer(serializers.Serializer[object]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField()
    seller = serializers.CharField(help_text="The seller's display name.")


class FavoriteSerializer(serializers.ModelSerializer[Favorite]):
    listing = ListingSummarySerializer(read_only=True)

    class Meta:
        model = Favorite
        fields = ["listing", "created_at"]


class ListingReferenceSerializer(serializers.Serializer[object]):
    listing = serializers.IntegerField(min_value=1, help_text="A listing id.")


class FavoriteCountsQuerySerializer(serializers.Serializer[object]):
    listings = serializers.CharField(
        help_text="Comma-separated listing ids, at most 100."
    )

    def validate_listings(self, value: str) -> list[int]:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            raise serializers.ValidationError("Give at least one listing id.")
        if len(parts) > 100:
            raise serializers.ValidationError(
                f"{len(parts)} listing ids were given; the maximum is 100."
            )
        invalid = [part for part in parts if not part.isdigit()]
        if invalid:
            raise serializers.ValidationError(
                f"Invalid listing ids {invalid!r}; give positive integers."
            )
        return [int(part) for part in parts]


class CartLineSerializer(serializers.Serializer[object]):
    listing = ListingSummarySerializer()
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="What checkout charges now; an accepted offer sets it.",
    )
    is_available = serializers.BooleanField()
    unavailable_reason = serializers.CharField(source="unavailability", allow_null=True)
    message = serializers.CharField(source="reason")


class CheckoutRequestSerializer(serializers.Serializer[object]):
    listings = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Listing ids to buy; without it, the whole cart.",
    )


class UnavailableListingSerializer(serializers.Serializer[object]):
    listing = serializers.IntegerField(source="listing_pk")
    reason = serializers.CharField()
    message = serializers.CharField()


class OrderItemSerializer(serializers.ModelSerializer[OrderItem]):
    class Meta:
        model = OrderItem
        fields = ["listing", "title", "price", "currency", "offer", "is_active"]


class RatingSerializer(serializers.ModelSerializer[Rating]):
    rater = serializers.CharField(source="rater.__str__")

    class Meta:
        model = Rating
        fields = ["id", "rater", "score", "tags", "comment", "created_at"]


class OrderSerializer(serializers.ModelSerializer[Order]):
    buyer = serializers.CharField(source="buyer.__str__")
    seller = serializers.CharField(source="seller.__str__")
    items = OrderItemSerializer(many=True)
    ratings = RatingSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "buyer",
            "seller",
            "status",
            "payment_status",
            "created_at",
            "completed_at",
            "cancelled_at",
            "items",
            "ratings",
        ]


class CheckoutResultSerializer(serializers.Serializer[object]):
    orders = OrderSerializer(many=True)
    unavailable = UnavailableListingSerializer(many=True)


class RatingRequestSerializer(serializers.Serializer[object]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.ChoiceField(choices=Rating.Tag.choices),
        required=False,
        default=list,
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )


class OfferSerializer(serializers.ModelSerializer[Offer]):
    listing = ListingSummarySerializer(read_only=True)
    buyer = serializers.CharField(source="buyer.__str__")

    class Meta:
        model = Offer
        fields = [
            "id",
            "listing",
            "buyer",
            "amount",
            "counter_amount",
            "accepted_amount",
            "currency",
            "status",
            "hold_expires_at",
            "created_at",
            "updated_at",
        ]


class OfferRequestSerializer(serializers.Serializer[object]):
    listing = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="In the listing's currency.",
    )


class CounterRequestSerializer(serializers.Serializer[object]):
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="In the listing's currency.",
    )
