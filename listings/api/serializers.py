"""Serializers of the listings API: request bodies, query strings, responses.

Responses never contain coordinates: a listing shows the name of its
neighbourhood only.
"""

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts.models import Neighbourhood, User
from listings import distance, search
from listings.models import Category, Listing, ListingPhoto, Product
from listings.photos import ACCEPTED_FORMATS_TEXT, MAX_PHOTOS_PER_LISTING
from listings.selectors import (
    CATALOG_SEARCH_MAX_WORDS,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ListingOrdering,
)
from listings.services import (
    CURRENCIES,
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    next_bump_at,
)

_CONDITION_MESSAGE = (
    "Condition {input!r} is not valid; use one of "
    + ", ".join(Listing.Condition.values)
    + "."
)
_STATUS_FIELD_MESSAGE = (
    "The status cannot be changed by an edit; use the reserve, release, sell, "
    "hide and unhide actions of the listing."
)


def format_price(price: Decimal, currency: str) -> str:
    """Return `price` with exactly as many decimals as `currency` has."""
    rule = CURRENCIES.get(currency)
    if rule is None:
        return f"{price:f}"
    return f"{price.quantize(Decimal(1).scaleb(-rule.decimals)):f}"


class ListingPhotoSerializer(serializers.ModelSerializer[ListingPhoto]):
    """A stored photo; `thumbnail_url` is null until the thumbnail is made."""

    url = serializers.ImageField(source="image", read_only=True)
    thumbnail_url = serializers.ImageField(
        source="thumbnail", read_only=True, allow_null=True
    )

    class Meta:
        model = ListingPhoto
        fields = ["id", "url", "thumbnail_url", "width", "height", "position"]
        read_only_fields = fields


class ListingSerializer(serializers.ModelSerializer[Listing]):
    """A listing as buyers and its seller see it."""

    price = serializers.SerializerMethodField()
    category_path = serializers.CharField(
        source="category.path", default=None, read_only=True
    )
    parent_asin = serializers.CharField(
        source="product.parent_asin", default=None, read_only=True
    )
    neighbourhood = serializers.CharField(
        source="neighbourhood.name", default=None, read_only=True
    )
    seller = serializers.CharField(source="seller.__str__", read_only=True)
    seller_id = serializers.IntegerField(read_only=True)
    seller_is_demo = serializers.BooleanField(source="seller.is_demo", read_only=True)
    seller_trust_score = serializers.DecimalField(
        source="seller.trust_score", max_digits=4, decimal_places=1, read_only=True
    )
    photos = ListingPhotoSerializer(many=True, read_only=True)
    distance = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()
    reserved_for = serializers.SerializerMethodField()
    next_bump_at = serializers.SerializerMethodField()
    image_url = serializers.CharField(read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "description",
            "price",
            "currency",
            "condition",
            "status",
            "category",
            "category_path",
            "parent_asin",
            "neighbourhood",
            "distance",
            "seller",
            "seller_id",
            "seller_is_demo",
            "seller_trust_score",
            "is_own",
            "reserved_for",
            "image_url",
            "photos",
            "created_at",
            "updated_at",
            "bumped_at",
            "next_bump_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            help_text="With exactly the currency's decimals: 15000 KRW, 12.50 USD.",
        )
    )
    def get_price(self, listing: Listing) -> str:
        return format_price(listing.price, listing.currency)

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=(
                "Distance from the `near` neighbourhood, rounded: 'under 1 km' "
                "or whole kilometres such as '3 km'; null without `near`."
            ),
        )
    )
    def get_distance(self, listing: Listing) -> str | None:
        return distance.format_distance(
            getattr(listing, distance.DISTANCE_ANNOTATION, None)
        )

    @extend_schema_field(serializers.BooleanField())
    def get_is_own(self, listing: Listing) -> bool:
        return listing.seller_id == self._viewer_pk()

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text="Username of the buyer; shown to the seller and buyer only.",
        )
    )
    def get_reserved_for(self, listing: Listing) -> str | None:
        buyer = listing.reserved_for
        if buyer is None:
            return None
        if self._viewer_pk() not in (listing.seller_id, buyer.pk):
            return None
        return buyer.username

    @extend_schema_field(
        serializers.DateTimeField(
            allow_null=True,
            help_text="When the seller may bump the listing next; null unless active.",
        )
    )
    def get_next_bump_at(self, listing: Listing) -> str | None:
        if listing.status != Listing.Status.ACTIVE:
            return None
        return serializers.DateTimeField().to_representation(next_bump_at(listing))

    def _viewer_pk(self) -> int | None:
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return None
        return int(request.user.pk)


class ListingWriteSerializer(serializers.Serializer[Listing]):
    """The body of a create (POST) or an edit (PATCH, every field optional)."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )
    price = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        help_text=(
            "An amount from 0 with at most the currency's decimals: 0 for KRW "
            "and JPY, 2 for EUR and USD."
        ),
    )
    currency = serializers.CharField(
        required=False,
        help_text=(
            f"An ISO 4217 code, one of {', '.join(CURRENCIES)}; the marketplace "
            "currency when left out of a create."
        ),
    )
    condition = serializers.ChoiceField(
        choices=Listing.Condition.choices,
        error_messages={"invalid_choice": _CONDITION_MESSAGE},
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="Category id; a create defaults to the product's category.",
    )
    parent_asin = serializers.SlugRelatedField(
        source="product",
        slug_field="parent_asin",
        queryset=Product.objects.all(),
        required=False,
        allow_null=True,
        help_text="The catalog product that this unit is, if any.",
    )
    neighbourhood = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Neighbourhood.objects.all(),
        required=False,
        allow_null=True,
        help_text="Name of the neighbourhood where the item can be picked up.",
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PHOTOS_PER_LISTING,
        help_text=(
            f"Up to {MAX_PHOTOS_PER_LISTING} {ACCEPTED_FORMATS_TEXT} files, in a "
            "multipart create only; a rejected photo creates nothing."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [
                        _STATUS_FIELD_MESSAGE
                        if name == "status"
                        else f"Unknown field {name!r}; the fields are "
                        f"{', '.join(self.fields)}."
                    ]
                    for name in unknown
                }
            )
        return attrs


class ReserveSerializer(serializers.Serializer[object]):
    buyer = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        error_messages={
            "does_not_exist": "No user has the username {value!r}; check the name."
        },
        help_text="Username of the buyer to hold the listing for.",
    )


class ListingQuerySerializer(serializers.Serializer[object]):
    """The query string of the browse list."""

    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(),
        required=False,
        help_text="Category id; listings in its subcategories match too.",
    )
    min_price = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=Decimal(0),
        required=False,
        help_text="Lowest price, inclusive, in `currency`.",
    )
    max_price = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=Decimal(0),
        required=False,
        help_text="Highest price, inclusive, in `currency`.",
    )
    currency = serializers.ChoiceField(
        choices=sorted(CURRENCIES),
        required=False,
        help_text=(
            "Only listings priced in this currency. With a price bound it "
            "defaults to the marketplace currency, because prices are not "
            "converted."
        ),
    )
    condition = serializers.ListField(
        child=serializers.ChoiceField(
            choices=Listing.Condition.choices,
            error_messages={"invalid_choice": _CONDITION_MESSAGE},
        ),
        required=False,
        help_text="Repeat to match any of several conditions.",
    )
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.Status.choices),
        required=False,
        help_text=(
            "Repeat to match several; active when left out. Hidden listings "
            "match for their seller only."
        ),
    )
    q = serializers.CharField(
        required=False,
        help_text=(
            "Search words, matched in the title and description; partial "
            f"words match too. At most {search.SEARCH_QUERY_MAX_LENGTH} "
            "characters."
        ),
        error_messages={
            "blank": "The query parameter q is empty; give search words or leave q out."
        },
    )
    ordering = serializers.ChoiceField(
        choices=[(item.value, item.name.lower()) for item in ListingOrdering],
        required=False,
        help_text=(
            "newest: latest bump first; price: cheapest first; -price: most "
            "expensive first; relevance: best search match first, then "
            "newest, and only with q; distance: nearest to `near` first, and "
            "only with near. Defaults to relevance with q and to newest "
            "without."
        ),
    )
    near = serializers.PrimaryKeyRelatedField(
        queryset=Neighbourhood.objects.all(),
        required=False,
        help_text=(
            "Neighbourhood id; shows each listing's distance from it and "
            "leaves out listings without a neighbourhood."
        ),
        error_messages={
            "does_not_exist": "Neighbourhood {pk_value} was not found; check the id."
        },
    )
    radius_km = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=Decimal(0),
        max_value=distance.MAX_RADIUS_KM,
        required=False,
        help_text=(
            "Only listings at most this many km from `near`, 0 to "
            f"{distance.MAX_RADIUS_KM}; needs near."
        ),
    )
    cursor = serializers.CharField(
        required=False, help_text="Cursor from the `next` link of the last page."
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Listings per page, 1 to {MAX_PAGE_SIZE}.",
    )

    def validate_q(self, value: str) -> str:
        try:
            return search.normalize_query(value)
        except search.InvalidSearchQueryError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF treats an empty optional query parameter as left out, so an
        # empty `q=` is caught here.
        if "q" in self.initial_data and "q" not in attrs:
            raise serializers.ValidationError(
                {"q": [self.fields["q"].error_messages["blank"]]}
            )
        if "ordering" not in attrs:
            attrs["ordering"] = (
                ListingOrdering.RELEVANCE if "q" in attrs else ListingOrdering.NEWEST
            ).value
        if attrs["ordering"] == ListingOrdering.RELEVANCE and "q" not in attrs:
            raise serializers.ValidationError(
                {
                    "ordering": [
                        "The relevance ordering needs search words; give q or "
                        "pick another ordering."
                    ]
                }
            )
        default_near = self.context.get("default_near")
        if "near" not in attrs and default_near is not None:
            # A signed-in user's home neighbourhood is the default `near`.
            attrs["near"] = default_near
        if "near" not in attrs:
            if "radius_km" in attrs:
                raise serializers.ValidationError(
                    {"radius_km": ["radius_km needs near, the neighbourhood id."]}
                )
            if attrs["ordering"] == ListingOrdering.DISTANCE:
                raise serializers.ValidationError(
                    {
                        "ordering": [
                            "The distance ordering needs near, the "
                            "neighbourhood id, or a confirmed home "
                            "neighbourhood; give near or pick another "
                            "ordering."
                        ]
                    }
                )
        low = attrs.get("min_price")
        high = attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {
                    "max_price": [
                        f"max_price {high} is below min_price {low}; swap them."
                    ]
                }
            )
        return attrs


@extend_schema_serializer(many=False)
class ListingPageSerializer(serializers.Serializer[object]):
    """One page of the browse list."""

    results = ListingSerializer(many=True, source="listings")
    next = serializers.URLField(
        allow_null=True, help_text="URL of the next page; null on the last page."
    )


class CatalogQuerySerializer(serializers.Serializer[object]):
    q = serializers.CharField(
        max_length=200,
        help_text=(
            f"Words of the product title, 1 to {CATALOG_SEARCH_MAX_WORDS}, in any "
            "order and case; partial words match too."
        ),
        error_messages={
            "required": "The query parameter q is missing; give words of the title.",
            "blank": "The query parameter q is empty; give words of the title.",
        },
    )


class ProductSuggestionSerializer(serializers.Serializer[object]):
    """A catalog product with the values that prefill a sell form."""

    parent_asin = serializers.CharField(source="product.parent_asin")
    title = serializers.CharField(source="product.title")
    category = serializers.IntegerField(
        source="product.category_id", allow_null=True, help_text="Category id."
    )
    category_path = serializers.CharField(
        source="product.category.path", default=None, allow_null=True
    )
    catalog_price = serializers.DecimalField(
        source="product.price",
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Price of the new product in the catalog, in US dollars.",
    )
    suggested_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text=(
            "60% of the catalog price, rounded to the cent; null when the "
            "catalog price is unknown."
        ),
    )
    suggested_currency = serializers.CharField()


class ErrorSerializer(serializers.Serializer[object]):
    detail = serializers.CharField()


class ActionNotAllowedSerializer(serializers.Serializer[object]):
    detail = serializers.CharField()
    status = serializers.ChoiceField(
        choices=Listing.Status.choices, help_text="The listing's current status."
    )


class BumpTooSoonSerializer(serializers.Serializer[object]):
    detail = serializers.CharField()
    next_bump_at = serializers.DateTimeField()


class PhotoUploadSerializer(serializers.Serializer[object]):
    photos = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=MAX_PHOTOS_PER_LISTING,
        help_text=(
            f"1 to {MAX_PHOTOS_PER_LISTING} {ACCEPTED_FORMATS_TEXT} files; a "
            "rejected photo stores none of them."
        ),
    )


class RelatedListingsSerializer(serializers.Serializer[Any]):
    """Listings shown below a listing: similar ones and the seller's others."""

    similar = ListingSerializer(many=True, read_only=True)
    seller_listings = ListingSerializer(many=True, read_only=True)
