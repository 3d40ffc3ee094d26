"""Serializers of the moderation API."""

from typing import Any

from rest_framework import serializers

from accounts.models import User
from listings.models import Listing
from moderation.models import Block, Report
from moderation.services import REPORT_TEXT_MAX_LENGTH


class ReportCreateSerializer(serializers.Serializer[object]):
    """The body of a new report: exactly one of `listing` and `user`."""

    # Hidden listings are left out, so that a report cannot probe for them.
    listing = serializers.PrimaryKeyRelatedField(
        queryset=Listing.objects.exclude(status=Listing.Status.HIDDEN),
        required=False,
        help_text="Id of the reported listing.",
        error_messages={
            "does_not_exist": "Listing {pk_value} was not found; check the id."
        },
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Id of the reported user.",
        error_messages={
            "does_not_exist": "User {pk_value} was not found; check the id."
        },
    )
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REPORT_TEXT_MAX_LENGTH,
        help_text="What is wrong, in your words; required for 'other'.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("listing" in attrs) == ("user" in attrs):
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        "Give exactly one of listing and user: the listing id "
                        "or the user id to report."
                    ]
                }
            )
        return attrs


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A report, as shown to its reporter."""

    user = serializers.IntegerField(source="reported_user_id", allow_null=True)

    class Meta:
        model = Report
        fields = ["id", "listing", "user", "reason", "text", "status", "created_at"]
        read_only_fields = fields


class BlockCreateSerializer(serializers.Serializer[object]):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        help_text="Id of the user to block.",
        error_messages={
            "does_not_exist": "User {pk_value} was not found; check the id."
        },
    )


class BlockSerializer(serializers.ModelSerializer[Block]):
    """A block, as shown to the blocker."""

    user = serializers.IntegerField(source="blocked_id")
    name = serializers.CharField(source="blocked.__str__")

    class Meta:
        model = Block
        fields = ["user", "name", "created_at"]
        read_only_fields = fields
