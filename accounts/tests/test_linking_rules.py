"""Email ownership rules: password reset and claiming another's address."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BROWSER_AUTH = "/_allauth/browser/v1"
APP_AUTH = "/_allauth/app/v1"


def request_reset(email: str):
    return APIClient().post(
        f"{APP_AUTH}/auth/password/request", {"email": email}, format="json"
    )


def test_reset_mail_sent_to_verified_address(mailoutbox):
    UserFactory(email="kept@example.com", verified_email=True)

    response = request_reset("kept@example.com")

    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["kept@example.com"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_reset_mail_not_sent_to_unverified_address(mailoutbox):
    UserFactory(email="unproven@example.com", verified_email=False)

    response = request_reset("unproven@example.com")

    # The response is the same as for a verified address, so it reveals
    # nothing, but no reset link leaves the site.
    assert response.status_code == 200
    assert all("/password/reset/key/" not in mail.body for mail in mailoutbox)
    assert mailoutbox == []


def test_reset_form_ignores_unverified_address(mailoutbox):
    UserFactory(email="form@example.com", verified_email=False)

    response = Client().post("/accounts/password/reset/", {"email": "form@example.com"})

    assert response.status_code == 302
    assert mailoutbox == []


def test_signup_cannot_claim_taken_address(mailoutbox):
    owner = UserFactory(email="taken@example.com", verified_email=False)

    response = APIClient().post(
        f"{APP_AUTH}/auth/signup",
        {"email": "Taken@Example.com", "password": "another-long-passphrase"},
        format="json",
    )

    # Enumeration prevention: the reply looks like a normal sign-up, the
    # owner gets a notice, and no second account exists.
    assert response.status_code == 401
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    assert EmailAddress.objects.filter(email__iexact="taken@example.com").count() == 1
    assert EmailAddress.objects.get(email__iexact="taken@example.com").user == owner
    assert [mail.to for mail in mailoutbox] == [["taken@example.com"]]
    assert "Account Already Exists" in mailoutbox[0].subject


def test_add_email_cannot_claim_taken_address(mailoutbox):
    UserFactory(email="first@example.com", verified_email=True)
    claimer = UserFactory(email="second@example.com", verified_email=True)
    client = APIClient()
    token = client.post(
        f"{APP_AUTH}/auth/login",
        {"email": claimer.email, "password": PASSWORD},
        format="json",
    ).json()["meta"]["session_token"]

    response = client.post(
        f"{APP_AUTH}/account/email",
        {"email": "first@example.com"},
        format="json",
        headers={"X-Session-Token": token},
    )

    # Enumeration prevention again: the request looks accepted, and the
    # owner's mailbox gets a notice with no verification link.
    assert response.status_code == 200
    assert [mail.to for mail in mailoutbox] == [["first@example.com"]]
    assert "Account Already Exists" in mailoutbox[0].subject
    assert "confirm-email" not in mailoutbox[0].body
    claimed = EmailAddress.objects.get(user=claimer, email="first@example.com")
    assert claimed.verified is False

    # Even a valid key for that row does not verify it.
    key = EmailConfirmationHMAC(claimed).key
    response = client.post(
        f"{APP_AUTH}/auth/email/verify",
        {"key": key},
        format="json",
        headers={"X-Session-Token": token},
    )
    claimed.refresh_from_db()
    assert response.status_code == 400
    assert claimed.verified is False
    assert (
        EmailAddress.objects.get(email="first@example.com", verified=True).user_id
        != claimer.pk
    )


def test_unverified_address_cannot_sign_in(mailoutbox):
    UserFactory(email="pending@example.com", verified_email=False)

    response = Client().post(
        "/accounts/login/", {"login": "pending@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in Client().session
    assert [mail.to for mail in mailoutbox] == [["pending@example.com"]]


def test_cannot_claim_unverified_address_of_another(mailoutbox):
    owner = UserFactory(email="early@example.com", verified_email=False)
    claimer = UserFactory(email="late@example.com", verified_email=True)
    client = APIClient()
    token = client.post(
        f"{APP_AUTH}/auth/login",
        {"email": claimer.email, "password": PASSWORD},
        format="json",
    ).json()["meta"]["session_token"]
    headers = {"X-Session-Token": token}

    client.post(
        f"{APP_AUTH}/account/email",
        {"email": "early@example.com"},
        format="json",
        headers=headers,
    )
    cache.clear()  # lift the limit of one verification mail per 3 minutes
    resend = client.put(
        f"{APP_AUTH}/account/email",
        {"email": "early@example.com"},
        format="json",
        headers=headers,
    )

    # Neither row is verified, so no database constraint applies: the
    # adapter never mails a link for the later row, on adding or resending.
    claimed = EmailAddress.objects.get(user=claimer, email="early@example.com")
    assert claimed.verified is False
    assert resend.status_code == 200
    assert [mail.to for mail in mailoutbox] == [["early@example.com"]] * 2
    assert all("confirm-email" not in mail.body for mail in mailoutbox)
    assert EmailAddress.objects.get(user=owner).email == "early@example.com"
