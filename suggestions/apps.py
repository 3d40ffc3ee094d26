from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receivers that merge anonymous views at sign-in and
        # close the visitor's sockets at sign-out.
        from suggestions import signals  # noqa: F401
