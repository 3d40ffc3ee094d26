"""Read queries of moderation: whom a user must not see."""

from collections.abc import Collection

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

    Their listings are closed to `user` even by a direct link. A user can
    still open the listings of someone they blocked themselves, and the
    page shows the block and offers to unblock.
    """
    if not isinstance(user, User):
        return set()
    return set(Block.objects.filter(blocked=user).values_list("blocker_id", flat=True))


def blocked_user_ids_by_user(user_pks: Collection[int]) -> dict[int, set[int]]:
    """Return `blocked_user_ids` of several users, by user pk, in one query.

    Every pk in `user_pks` gets an entry, an empty set when it has no
    blocks (also for a pk whose user no longer exists).
    """
    blocked: dict[int, set[int]] = {pk: set() for pk in user_pks}
    if not blocked:
        return blocked
    pairs = Block.objects.filter(
        Q(blocker_id__in=blocked) | Q(blocked_id__in=blocked)
    ).values_list("blocker_id", "blocked_id")
    for blocker, blocked_pk in pairs:
        if blocker in blocked:
            blocked[blocker].add(blocked_pk)
        if blocked_pk in blocked:
            blocked[blocked_pk].add(blocker)
    return blocked
