import pytest
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
