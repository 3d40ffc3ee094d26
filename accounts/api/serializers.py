"""Serializers of the accounts API. Coordinates are never serialized."""

from rest_framework import serializers

from accounts.models import Neighbourhood, User, UserNeighbourhood
from accounts.selectors import confirmation_expires_at, is_confirmation_valid


class NeighbourhoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name"]


class UserNeighbourhoodSerializer(serializers.ModelSerializer):
    neighbourhood = NeighbourhoodSerializer(read_only=True)
    is_confirmed = serializers.SerializerMethodField()
    confirmation_expires_at = serializers.SerializerMethodField()

    class Meta:
        model = UserNeighbourhood
        fields = [
            "neighbourhood",
            "confirmed_at",
            "is_confirmed",
            "confirmation_expires_at",
        ]

    def get_is_confirmed(self, membership: UserNeighbourhood) -> bool:
        return is_confirmation_valid(membership)

    def get_confirmation_expires_at(self, membership: UserNeighbourhood) -> str | None:
        expires_at = confirmation_expires_at(membership)
        return expires_at.isoformat() if expires_at else None


class PublicProfileSerializer(serializers.ModelSerializer):
    """What other people see: no email, no coordinates."""

    name = serializers.CharField(source="__str__", read_only=True)
    avatar = serializers.ImageField(read_only=True)
    neighbourhoods = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name", "avatar", "trust_score", "is_demo", "neighbourhoods"]

    def get_neighbourhoods(self, user: User) -> list[str]:
        return [
            membership.neighbourhood.name
            for membership in user.user_neighbourhoods.select_related("neighbourhood")
            if is_confirmation_valid(membership)
        ]


class MeSerializer(serializers.ModelSerializer):
    avatar = serializers.ImageField(read_only=True)
    neighbourhoods = UserNeighbourhoodSerializer(
        source="user_neighbourhoods", many=True, read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "avatar",
            "trust_score",
            "is_demo",
            "date_joined",
            "neighbourhoods",
        ]
        read_only_fields = fields


class ProfileUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(
        required=False, allow_blank=True, max_length=80, trim_whitespace=True
    )
    # Checked by accounts.avatars.validate_avatar, which reports the limits.
    avatar = serializers.FileField(required=False)
    remove_avatar = serializers.BooleanField(required=False, default=False)


class AddNeighbourhoodSerializer(serializers.Serializer):
    neighbourhood = serializers.PrimaryKeyRelatedField(
        queryset=Neighbourhood.objects.all()
    )


class ConfirmNeighbourhoodSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class EraseAccountSerializer(serializers.Serializer):
    password = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False
    )
