from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the sign-out receiver that closes the visitor's sockets.
        from suggestions import signals  # noqa: F401
