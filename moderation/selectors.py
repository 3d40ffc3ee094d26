"""Read queries of moderation: whom a user must not see."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from moderation.models import Block


def blocked_user_ids(user: User | AnonymousUser) -> set[int]:
    """Return the ids of users whose listings `user` must not see.

    A block works both ways: the users that `user` blocked and the users
    who blocked `user`. Anonymous visitors have no blocks.
    """
    if not isinstance(user, User):
        return set()
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {blocked if blocker == user.pk else blocker for blocker, blocked in pairs}


def has_blocked(*, blocker: User, blocked: User) -> bool:
    """Return whether `blocker` has blocked `blocked`."""
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def blocker_ids(user: User | AnonymousUser) -> set[int]:
    """Return the ids of users who blocked `user`.

    Their listings are closed to `user` even by a direct link, while
    `user` can still open the listings of someone they blocked themselves
    (the page says so and offers to unblock).
    """
    if not isinstance(user, User):
        return set()
    return set(Block.objects.filter(blocked=user).values_list("blocker_id", flat=True))
