"""Account deletion: the row stays, the person is erased."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ERASED_USER_NAME, User, UserNeighbourhood
from accounts.signals import user_erased
from accounts.tests.factories import (
    PASSWORD,
    NeighbourhoodFactory,
    UserFactory,
    UserNeighbourhoodFactory,
)
from listings.models import Listing
from recommender.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

APP_AUTH = "/_allauth/app/v1/auth"
DELETE_URL = "/api/v1/me/delete/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seller():
    user = UserFactory(
        username="kim",
        email="kim@example.com",
        first_name="Min",
        last_name="Kim",
        display_name="Kim's gadgets",
        verified_email=True,
    )
    user.avatar.save("kim.png", SimpleUploadedFile("kim.png", b"x"), save=True)
    return user


def app_login(user) -> tuple[APIClient, str]:
    client = APIClient()
    response = client.post(
        f"{APP_AUTH}/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    return client, response.json()["meta"]["session_token"]


def test_delete_erases_personal_data(
    seller, client, media_root, django_capture_on_commit_callbacks
):
    avatar_path = media_root / seller.avatar.name
    assert avatar_path.exists()
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="c")
    account = SocialAccount.objects.create(user=seller, provider="github", uid="42")
    SocialToken.objects.create(app=app, account=account, token="t")
    UserNeighbourhoodFactory(
        user=seller, neighbourhood=NeighbourhoodFactory(), confirmed_at=timezone.now()
    )
    client.force_login(seller)
    api, token = app_login(seller)

    received = []

    def record(sender, user, **kwargs):
        received.append(user.pk)

    user_erased.connect(record)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            DELETE_URL,
            {"password": PASSWORD},
            format="json",
            headers={"X-Session-Token": token},
        )
    user_erased.disconnect(record)

    assert response.status_code == 204
    erased = User.objects.get(pk=seller.pk)
    assert str(erased) == ERASED_USER_NAME
    assert erased.erased_at is not None
    assert erased.username == f"deleted-{seller.pk}"
    assert erased.email == ""
    assert erased.first_name == ""
    assert erased.last_name == ""
    assert erased.display_name == ""
    assert erased.avatar.name in ("", None)
    assert not avatar_path.exists()
    assert erased.is_active is False
    assert erased.has_usable_password() is False
    assert not EmailAddress.objects.filter(user=erased).exists()
    assert not SocialAccount.objects.filter(user=erased).exists()
    assert not SocialToken.objects.exists()
    assert not UserNeighbourhood.objects.filter(user=erased).exists()
    assert received == [seller.pk]
    # Every session ends: the browser's and the app's token.
    remaining = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(seller.pk) not in remaining
    assert client.get("/api/v1/me/").status_code == 403
    again = api.get("/api/v1/me/", headers={"X-Session-Token": token})
    assert again.status_code == 401


def test_delete_hides_listings_and_keeps_rows(seller):
    active = ListingFactory(seller=seller, status=Listing.Status.ACTIVE)
    reserved = ListingFactory(
        seller=seller,
        status=Listing.Status.RESERVED,
        reserved_for=UserFactory(),
    )
    sold = ListingFactory(seller=seller, status=Listing.Status.SOLD)
    other = ListingFactory(status=Listing.Status.ACTIVE)
    api = APIClient()
    api.force_authenticate(seller)

    response = api.post(DELETE_URL, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    statuses = dict(Listing.objects.values_list("pk", "status"))
    assert Listing.objects.get(pk=reserved.pk).reserved_for is None
    assert statuses == {
        active.pk: Listing.Status.HIDDEN,
        reserved.pk: Listing.Status.HIDDEN,
        sold.pk: Listing.Status.SOLD,
        other.pk: Listing.Status.ACTIVE,
    }
    # The sold unit still names its seller, shown as a deleted user.
    assert str(Listing.objects.get(pk=sold.pk).seller) == ERASED_USER_NAME


def test_wrong_password_deletes_nothing(seller):
    listing = ListingFactory(seller=seller)
    api = APIClient()
    api.force_authenticate(seller)

    response = api.post(DELETE_URL, {"password": "not-it"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "password": ["The password is incorrect. Nothing was deleted."]
    }
    seller.refresh_from_db()
    assert seller.erased_at is None
    assert seller.email == "kim@example.com"
    assert seller.is_active is True
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert EmailAddress.objects.filter(user=seller).count() == 1


def test_missing_password_deletes_nothing(seller):
    api = APIClient()
    api.force_authenticate(seller)

    response = api.post(DELETE_URL, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "password": ["Enter your password to delete the account."]
    }
    seller.refresh_from_db()
    assert seller.erased_at is None


def test_social_only_account_needs_reauthentication(seller):
    seller.set_unusable_password()
    seller.save()
    api = APIClient()
    api.force_authenticate(seller)

    response = api.post(DELETE_URL, {}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This account has no password. Re-authenticate with your social "
        "provider (allauth's provider redirect with process "
        "'reauthenticate'), then repeat this request within 5 minutes."
    )
    seller.refresh_from_db()
    assert seller.erased_at is None


def test_erased_user_cannot_sign_in(seller):
    api = APIClient()
    api.force_authenticate(seller)
    api.post(DELETE_URL, {"password": PASSWORD}, format="json")

    response = APIClient().post(
        f"{APP_AUTH}/login",
        {"email": "kim@example.com", "password": PASSWORD},
        format="json",
    )

    assert response.status_code == 400


def test_address_free_again_after_erasure(seller, mailoutbox):
    api = APIClient()
    api.force_authenticate(seller)
    api.post(DELETE_URL, {"password": PASSWORD}, format="json")

    response = APIClient().post(
        f"{APP_AUTH}/signup",
        {"email": "kim@example.com", "password": "a-new-long-passphrase"},
        format="json",
    )

    assert response.status_code == 401
    newcomer = User.objects.get(email="kim@example.com")
    assert newcomer.pk != seller.pk
    assert "confirm-email" in mailoutbox[-1].body


def test_delete_page_with_password(client, seller):
    client.force_login(seller)

    wrong = client.post("/accounts/delete/", {"password": "nope"})
    right = client.post("/accounts/delete/", {"password": PASSWORD})

    assert wrong.status_code == 200
    assert b"The password is incorrect. Nothing was deleted." in wrong.content
    assert right.status_code == 302
    assert right["Location"] == "/"
    assert User.objects.get(pk=seller.pk).erased_at is not None
    assert "_auth_user_id" not in client.session


def test_public_profile_of_erased_user(seller):
    place = NeighbourhoodFactory(name="Seogyo")
    UserNeighbourhoodFactory(
        user=seller, neighbourhood=place, confirmed_at=timezone.now()
    )
    api = APIClient()
    api.force_authenticate(seller)
    api.post(DELETE_URL, {"password": PASSWORD}, format="json")

    response = APIClient().get(f"/api/v1/users/{seller.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == ERASED_USER_NAME
    assert body["avatar"] is None
    assert body["neighbourhoods"] == []
    assert "kim" not in str(body).lower()


def test_erasing_twice_is_rejected(seller):
    from django.core.exceptions import ValidationError

    from accounts.services import erase_user

    erase_user(user=seller)

    with pytest.raises(ValidationError) as error:
        erase_user(user=seller)

    assert error.value.code == "already_erased"
