from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import Neighbourhood, User, UserNeighbourhood
from accounts.selectors import is_confirmation_valid
from accounts.services import erase_user


class UserNeighbourhoodInline(admin.TabularInline):
    model = UserNeighbourhood
    extra = 0
    autocomplete_fields = ("neighbourhood",)
    readonly_fields = ("created_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "trust_score",
        "is_demo",
        "is_staff",
        "erased_at",
    )
    list_filter = (
        "is_demo",
        "is_staff",
        "is_superuser",
        "is_active",
        ("erased_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("username", "email", "display_name")
    readonly_fields = ("erased_at",)
    inlines = (UserNeighbourhoodInline,)
    actions = ("erase_accounts",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Marketplace",
            {
                "fields": (
                    "display_name",
                    "avatar",
                    "trust_score",
                    "is_demo",
                    "erased_at",
                )
            },
        ),
    )

    @admin.action(description="Delete the selected accounts (erase personal data)")
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        erased = 0
        for user in queryset.order_by("pk"):
            try:
                erase_user(user=user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                erased += 1
        self.message_user(request, f"Erased {erased} accounts.", messages.SUCCESS)


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("name", "latitude", "longitude")
    search_fields = ("name",)


@admin.register(UserNeighbourhood)
class UserNeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("user", "neighbourhood", "confirmed_at", "is_confirmed")
    list_filter = (("confirmed_at", admin.DateFieldListFilter),)
    search_fields = ("user__username", "user__email", "neighbourhood__name")
    autocomplete_fields = ("user", "neighbourhood")
    list_select_related = ("user", "neighbourhood")

    @admin.display(boolean=True, description="confirmed and not expired")
    def is_confirmed(self, membership: UserNeighbourhood) -> bool:
        return is_confirmation_valid(membership)
