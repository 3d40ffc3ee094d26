"""Social sign-in providers configured from the environment.

Each provider is enabled only when both its client id and its secret are
set. A provider can also be enabled without the environment, by adding a
SocialApp in the admin. The site runs with none.

This module imports no models because the settings module imports it.
"""

from typing import Any

import environ

# allauth provider id and the environment prefix of its credentials.
PROVIDER_PREFIXES = {
    "google": "GOOGLE",
    "github": "GITHUB",
    "kakao": "KAKAO",
    "naver": "NAVER",
}


def social_providers_from_env(env: environ.Env) -> dict[str, dict[str, Any]]:
    """Build SOCIALACCOUNT_PROVIDERS from *_CLIENT_ID and *_SECRET pairs.

    Raises ImproperlyConfigured when only one half of a pair is set, because
    a provider that silently stays off is harder to debug than a failed start.
    """
    from django.core.exceptions import ImproperlyConfigured

    providers: dict[str, dict[str, Any]] = {}
    for provider, prefix in PROVIDER_PREFIXES.items():
        app = _app_from_env(env, prefix)
        if app is not None:
            providers[provider] = {"APPS": [app]}
    if "google" in providers:
        providers["google"]["SCOPE"] = ["openid", "email", "profile"]
    if "github" in providers:
        # GitHub returns the address list, with the verified flag, only with
        # this scope.
        providers["github"]["SCOPE"] = ["user:email"]

    oidc_app = _app_from_env(env, "OIDC")
    if oidc_app is not None:
        server_url = env.str("OIDC_SERVER_URL", default="")
        if not server_url:
            raise ImproperlyConfigured(
                "OIDC_CLIENT_ID is set but OIDC_SERVER_URL is missing. Set it "
                "to the issuer URL, for example https://id.example.com."
            )
        oidc_app["provider_id"] = env.str("OIDC_PROVIDER_ID", default="oidc")
        oidc_app["name"] = env.str("OIDC_NAME", default="OpenID Connect")
        oidc_app["settings"] = {"server_url": server_url}
        providers["openid_connect"] = {"APPS": [oidc_app], "OAUTH_PKCE_ENABLED": True}
    return providers


def _app_from_env(env: environ.Env, prefix: str) -> dict[str, Any] | None:
    from django.core.exceptions import ImproperlyConfigured

    client_id = env.str(f"{prefix}_CLIENT_ID", default="")
    secret = env.str(f"{prefix}_SECRET", default="")
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        missing = f"{prefix}_SECRET" if client_id else f"{prefix}_CLIENT_ID"
        raise ImproperlyConfigured(
            f"{missing} is missing while the other half of the {prefix} "
            "credentials is set. Set both, or neither to turn it off."
        )
    return {"client_id": client_id, "secret": secret}
