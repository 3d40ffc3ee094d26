"""Linking rules for providers whose verified flag is no evidence."""

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.test import RequestFactory

from accounts.adapters import SocialAccountAdapter
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def social_login(provider_id: str, data: dict):
    SocialApp.objects.create(provider=provider_id, name=provider_id, client_id="c")
    request = RequestFactory().get("/")
    provider = get_adapter(request).get_provider(request, provider_id)
    return request, provider.sociallogin_from_response(request, data)


def test_naver_email_never_signs_in_by_email():
    UserFactory(email="owner@example.com", verified_email=True)
    request, sociallogin = social_login(
        "naver", {"id": "77", "email": "owner@example.com"}
    )

    assert sociallogin.email_addresses[0].verified is True
    assert SocialAccountAdapter(request).authenticate_by_email(sociallogin) is None


def test_naver_address_stored_unverified():
    request, sociallogin = social_login(
        "naver", {"id": "78", "email": "new@example.com"}
    )

    SocialAccountAdapter(request).pre_social_login(request, sociallogin)

    assert [address.verified for address in sociallogin.email_addresses] == [False]


def test_kakao_verified_email_signs_in():
    owner = UserFactory(email="kakao@example.com", verified_email=True)
    request, sociallogin = social_login(
        "kakao",
        {
            "id": 79,
            "kakao_account": {
                "email": "kakao@example.com",
                "is_email_verified": True,
            },
        },
    )

    found = SocialAccountAdapter(request).authenticate_by_email(sociallogin)

    assert found == (owner, "kakao@example.com")


def test_kakao_unverified_email_does_not_sign_in():
    UserFactory(email="kakao2@example.com", verified_email=True)
    request, sociallogin = social_login(
        "kakao",
        {
            "id": 80,
            "kakao_account": {
                "email": "kakao2@example.com",
                "is_email_verified": False,
            },
        },
    )

    assert SocialAccountAdapter(request).authenticate_by_email(sociallogin) is None
