import os
from argparse import ArgumentParser
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User


class Command(BaseCommand):
    help = (
        "Create a user who can sign in, or set the password of an existing "
        "one. The password is read from an environment variable so that it "
        "never appears in the process list."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="Username of the account.")
        parser.add_argument(
            "--email",
            default="",
            help="Email address to record as verified and primary; the "
            "operator who runs the command vouches for it. Without one the "
            "account can sign in by username only if it needs no "
            "verification.",
        )
        parser.add_argument(
            "--password-env",
            default="ACCOUNT_PASSWORD",
            help="Name of the environment variable that contains the password "
            "(default: ACCOUNT_PASSWORD).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        variable = options["password_env"]
        password = os.environ.get(variable, "")
        if not password:
            raise CommandError(
                f"The environment variable {variable} is not set or empty; set "
                "it to the account's password."
            )
        username = options["username"].strip()
        if not username:
            raise CommandError("The username is blank; give a username.")

        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username)
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(
                    f"The password in {variable} was rejected: "
                    + " ".join(error.messages)
                ) from error
            user.set_password(password)
            user.save(update_fields=["password"])
            email = options["email"].strip().lower()
            if email:
                _record_verified_email(user, email)

        verb = "Created" if created else "Updated the password of"
        self.stdout.write(f"{verb} user {username}.")


def _record_verified_email(user: User, email: str) -> None:
    try:
        validate_email(email)
    except ValidationError as error:
        raise CommandError(
            f"The email address {email!r} is not valid; give an address such "
            "as name@example.com."
        ) from error
    held = EmailAddress.objects.filter(email__iexact=email).exclude(user=user)
    if held.exists():
        raise CommandError(
            f"The email address {email!r} belongs to another account; give "
            "another address."
        )
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user=user,
        email=email,
        defaults={"verified": True, "primary": True},
    )
