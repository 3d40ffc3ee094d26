from django.contrib import admin

from suggestions.models import SessionView


@admin.register(SessionView)
class SessionViewAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "session_key", "listing", "viewed_at")
    list_select_related = ("user", "listing")
    raw_id_fields = ("user", "listing", "product")
    date_hierarchy = "viewed_at"
