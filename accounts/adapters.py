"""allauth adapters that enforce the account-linking rules.

The rules, which protect against account takeover through an email address:

1. A social sign-in whose email address matches a local account signs in to
   that account only when the address is verified on both sides: the
   provider reports it as verified, and the local account has verified it.
   Otherwise nothing is linked; allauth then treats the sign-in as a sign-up,
   which cannot take the address because rule 3 holds.
2. A password reset mail is sent only to an address that the account has
   verified. A request for an unverified address sends nothing and looks
   the same from outside, so it does not reveal which addresses exist.
3. An address held by one account, verified or not, cannot be claimed by
   another (ACCOUNT_UNIQUE_EMAIL, checked at sign-up, at social sign-up and
   when an address is added).
"""

import logging
from typing import Any, cast

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib.auth.base_user import AbstractBaseUser

from accounts.models import User

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return True

    def send_password_reset_mail(
        self, user: AbstractBaseUser, email: str, context: dict[str, Any]
    ) -> None:
        # Rule 2: a reset link proves control of a mailbox only when the
        # account has verified that mailbox.
        verified = EmailAddress.objects.filter(
            user_id=user.pk, email__iexact=email, verified=True
        ).exists()
        if not verified:
            logger.info(
                "Password reset not sent: user %s has not verified the address",
                user.pk,
            )
            return
        super().send_password_reset_mail(user, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def authenticate_by_email(
        self, sociallogin: SocialLogin
    ) -> tuple[User, str] | None:
        """Find the local account that a social sign-in may enter by email.

        Implements rule 1: both the provider's and the local record of the
        address must be verified. allauth's default also accepts an
        unverified local address (it then wipes the local password), which
        would hand the account to whoever controls the provider account.
        """
        for address in sociallogin.email_addresses:
            if not address.verified:
                continue
            if not self.can_authenticate_by_email(sociallogin, address.email):
                continue
            local = (
                EmailAddress.objects.filter(
                    email__iexact=address.email,
                    verified=True,
                    user__is_active=True,
                )
                .select_related("user")
                .first()
            )
            if local is not None:
                return cast(User, local.user), local.email
        return None
