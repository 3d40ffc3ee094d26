"""allauth adapters that enforce the account-linking rules.

The rules, which protect against account takeover through an email address:

1. A social sign-in whose email address matches a local account signs in to
   that account only when the address is verified on both sides: the
   provider reports it as verified, and the local account has verified it.
   Otherwise nothing is linked, and allauth treats the sign-in as a sign-up,
   which cannot take the address because of rule 3. Addresses from the
   providers in UNPROVEN_EMAIL_PROVIDERS count as unverified.
2. A password reset mail is sent only to an address that the account has
   verified. A request for an unverified address sends nothing and looks
   the same from outside, so it does not reveal which addresses exist.
3. An address held by one account, verified or not, cannot be claimed by
   another. Sign-up and social sign-up never create a second account with
   it (ACCOUNT_UNIQUE_EMAIL).
   Adding it to a second account leaves an unverified row there, because
   allauth hides which addresses exist, but that row never receives a
   verification link and can never be verified, so it grants nothing.
"""

import logging
from typing import Any, cast

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.headless.constants import Client
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User

logger = logging.getLogger(__name__)

# Providers whose "verified" flag on an address is not evidence. allauth
# 65.22.1 marks every Naver address verified without reading a flag from
# Naver's response, so the site proves those addresses by mail itself.
UNPROVEN_EMAIL_PROVIDERS = frozenset({"naver"})


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return True

    def get_login_stages(self) -> list[str]:
        return [
            "accounts.stages.EmailVerificationUnlessDemoStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]

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

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        address = emailconfirmation.email_address
        if is_held_by_another_account(address):
            # Rule 3: the mailbox owner gets a notice, not a link that would
            # move their address to someone else's account.
            logger.info(
                "Verification not sent: address %s of user %s is held by "
                "another account",
                address.pk,
                address.user_id,
            )
            self.send_account_already_exists_mail(address.email)
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        # NOTE: allauth's headless verify endpoint returns 500 when this
        # rejects a key. Only a forged key gets here, because
        # send_confirmation_mail never mails a key for such an address.
        if is_held_by_another_account(email_address):
            self.add_message(
                request,
                messages.ERROR,
                message=(
                    f"{email_address.email} belongs to another account and "
                    "cannot be verified here. Use another address."
                ),
            )
            return False
        return super().confirm_email(request, email_address)


def is_held_by_another_account(address: EmailAddress) -> bool:
    """Tell whether another account held this address first or verified it.

    The first account to hold an address keeps it until it deletes it.
    """
    others = EmailAddress.objects.filter(email__iexact=address.email).exclude(
        user_id=address.user_id
    )
    if address.pk is None:
        return others.exists()
    return others.filter(Q(verified=True) | Q(pk__lt=address.pk)).exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # Runs after the lookup by email and before a sign-up or connection
        # saves the addresses, so an unproven flag never reaches the database.
        if sociallogin.provider.id in UNPROVEN_EMAIL_PROVIDERS:
            for address in sociallogin.email_addresses:
                address.verified = False
        super().pre_social_login(request, sociallogin)

    def authenticate_by_email(
        self, sociallogin: SocialLogin
    ) -> tuple[User, str] | None:
        """Find the local account that a social sign-in may enter by email.

        Implements rule 1: both the provider's and the local record of the
        address must be verified. allauth's default also accepts an
        unverified local address (it then wipes the local password), which
        would hand the account to whoever controls the provider account.
        """
        if sociallogin.provider.id in UNPROVEN_EMAIL_PROVIDERS:
            return None
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


class HeadlessAdapter(DefaultHeadlessAdapter):
    def get_frontend_url(self, urlname: str, **kwargs: Any) -> str | None:
        """Return the React app's page for requests from the app only.

        allauth applies HEADLESS_FRONTEND_URLS to every request, so a mail
        sent from a server-rendered page or to the mobile app client would
        link into the React app. Those keep allauth's own pages.
        """
        headless = getattr(getattr(self.request, "allauth", None), "headless", None)
        if getattr(headless, "client", None) != Client.BROWSER:
            return None
        return super().get_frontend_url(urlname, **kwargs)
