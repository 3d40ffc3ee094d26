"""Migrate, seed and serve the test OpenID Connect provider.

Run as `python -m accounts.tests.oidc_provider.serve PORT SEED_JSON`. The
seed names the users (username, password, email, email_verified) and the
one client application (client_id, client_secret, redirect_uri).
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounts.tests.oidc_provider.settings")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from accounts.tests.oidc_provider.claims import VERIFIED_EMAIL_GROUP

    port = int(sys.argv[1])
    seed = json.loads(sys.argv[2])
    call_command("migrate", verbosity=0)
    verified_group, _ = Group.objects.get_or_create(name=VERIFIED_EMAIL_GROUP)
    for spec in seed["users"]:
        user = User.objects.create_user(
            username=spec["username"], password=spec["password"], email=spec["email"]
        )
        if spec["email_verified"]:
            user.groups.add(verified_group)
    client = seed["client"]
    Application.objects.create(
        name="Marketplace",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    call_command(
        "runserver",
        f"127.0.0.1:{port}",
        use_reloader=False,
        use_threading=True,
        skip_checks=True,
    )


if __name__ == "__main__":
    main()
