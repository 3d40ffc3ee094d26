import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "e2e-password-4821"


def test_create_account_creates_user(monkeypatch) -> None:
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)

    call_command("create_account", "seller-park")

    user = User.objects.get(username="seller-park")
    assert user.check_password(PASSWORD)
    assert user.is_staff is False


def test_create_account_updates_password(monkeypatch) -> None:
    User.objects.create_user("seller-park", password="old-password-1234")
    monkeypatch.setenv("E2E_PASSWORD", PASSWORD)

    call_command("create_account", "seller-park", "--password-env", "E2E_PASSWORD")

    assert User.objects.count() == 1
    assert User.objects.get().check_password(PASSWORD)


def test_create_account_needs_password(monkeypatch) -> None:
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="ACCOUNT_PASSWORD is not set"):
        call_command("create_account", "seller-park")

    assert User.objects.count() == 0


def test_create_account_rejects_weak_password(monkeypatch) -> None:
    monkeypatch.setenv("ACCOUNT_PASSWORD", "1234")

    with pytest.raises(CommandError, match="was rejected"):
        call_command("create_account", "seller-park")

    assert User.objects.count() == 0


def test_create_account_rejects_blank_username(monkeypatch) -> None:
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="username is blank"):
        call_command("create_account", "  ")


def test_create_account_records_verified_email(monkeypatch) -> None:
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)

    call_command("create_account", "seller-park", "--email", "Park@Example.com")

    user = User.objects.get(username="seller-park")
    assert user.email == "park@example.com"
    assert list(
        EmailAddress.objects.filter(user=user).values_list(
            "email", "verified", "primary"
        )
    ) == [("park@example.com", True, True)]


def test_create_account_refuses_an_address_of_another_account(monkeypatch) -> None:
    other = User.objects.create_user("someone", email="park@example.com")
    EmailAddress.objects.create(
        user=other, email="park@example.com", verified=True, primary=True
    )
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="belongs to another account"):
        call_command("create_account", "seller-park", "--email", "park@example.com")

    assert not User.objects.filter(username="seller-park").exists()


def test_create_account_rejects_a_malformed_email(monkeypatch) -> None:
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)

    with pytest.raises(CommandError, match="'not-an-address' is not valid"):
        call_command("create_account", "seller-park", "--email", "not-an-address")

    assert not User.objects.filter(username="seller-park").exists()
