"""Account deletion that keeps the user row but erases the person."""

import logging

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserNeighbourhood
from accounts.signals import user_erased

logger = logging.getLogger(__name__)


@transaction.atomic
def erase_user(*, user: User) -> User:
    """Erase a person's data and take their listings off the site.

    The row stays, so that the other party of an order still sees the order,
    with the user shown as "Deleted user". Every session and session token
    of the user ends, and email addresses and social accounts are deleted.
    Active and reserved listings are hidden (the rows are kept); their
    reservations are released because the seller can no longer sell.
    Receivers of `accounts.signals.user_erased` run inside this transaction.
    """
    from listings.models import Listing

    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.erased_at is not None:
        raise ValidationError(
            f"User {user.pk} was already deleted at {locked.erased_at:%Y-%m-%d}.",
            code="already_erased",
        )

    now = timezone.now()
    hidden_count = Listing.objects.filter(
        seller=locked,
        status__in=[Listing.Status.ACTIVE, Listing.Status.RESERVED],
    ).update(status=Listing.Status.HIDDEN, reserved_for=None, updated_at=now)
    EmailAddress.objects.filter(user=locked).delete()
    SocialAccount.objects.filter(user=locked).delete()
    UserNeighbourhood.objects.filter(user=locked).delete()
    _end_sessions(locked)

    avatar_name = locked.avatar.name if locked.avatar else ""
    locked.username = f"deleted-{locked.pk}"
    locked.email = ""
    locked.first_name = ""
    locked.last_name = ""
    locked.display_name = ""
    locked.avatar = None
    locked.set_unusable_password()
    locked.is_active = False
    locked.is_staff = False
    locked.is_superuser = False
    locked.erased_at = now
    locked.save()
    locked.groups.clear()
    locked.user_permissions.clear()
    if avatar_name:
        storage = User._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(avatar_name))

    user_erased.send(sender=User, user=locked)
    logger.info("Erased user %s and hid %s listings", locked.pk, hidden_count)
    return locked


def _end_sessions(user: User) -> None:
    """Delete every browser session and app session token of the user.

    allauth.usersessions records the sessions started since it was enabled.
    Older ones are found by decoding the unexpired sessions one by one.
    """
    for user_session in UserSession.objects.filter(user=user):
        user_session.end()
    # NOTE: this scan decodes every unexpired session; with a large session
    # table, rely on usersessions alone once all older sessions have expired.
    stale_keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(session_key__in=stale_keys).delete()
