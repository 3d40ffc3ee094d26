"""The visitor of a session socket: a user or an anonymous session."""

from dataclasses import dataclass

from django.db.models import QuerySet

from suggestions.models import SessionView


@dataclass(frozen=True)
class Visitor:
    """A signed-in user (`user_pk`) or an anonymous `session_key`."""

    user_pk: int | None
    session_key: str

    def __post_init__(self) -> None:
        if (self.user_pk is None) == (not self.session_key):
            raise ValueError(
                f"A visitor needs a user or a session key, not both or "
                f"neither; got user {self.user_pk!r} and session key "
                f"{self.session_key!r}."
            )

    @property
    def group_name(self) -> str:
        """The channel-layer group of this visitor's session sockets."""
        if self.user_pk is not None:
            return f"suggestions.user.{self.user_pk}"
        return f"suggestions.session.{self.session_key}"

    def views(self) -> QuerySet[SessionView]:
        if self.user_pk is not None:
            return SessionView.objects.filter(user_id=self.user_pk)
        return SessionView.objects.filter(session_key=self.session_key)


def user_group_name(user_pk: int) -> str:
    """Return the group of a signed-in user's session sockets."""
    return Visitor(user_pk=user_pk, session_key="").group_name
