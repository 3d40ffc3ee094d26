from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["user__username", "message"]
    raw_id_fields = ["user", "listing"]
    date_hierarchy = "created_at"
