import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[2]
OIDC_PROVIDER_ID = "localidp"
OIDC_CALLBACK_PATH = f"/accounts/oidc/{OIDC_PROVIDER_ID}/login/callback/"
OIDC_CLIENT_ID = "marketplace-client"
OIDC_CLIENT_SECRET = "marketplace-client-secret"
OIDC_PASSWORD = "provider-password-1"

# Users of the test provider: (username, email, email verified there).
OIDC_USERS = [
    ("newcomer", "newcomer@example.com", True),
    ("verified-owner", "owner@example.com", True),
    ("unverified-claimer", "owner2@example.com", False),
    ("squatter-victim", "victim@example.com", True),
]


@dataclass(frozen=True)
class OidcProvider:
    base_url: str

    @property
    def server_url(self) -> str:
        return f"{self.base_url}/o"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """Start the django-oauth-toolkit provider on a free 127.0.0.1 port."""
    port = _free_port()
    seed = {
        "users": [
            {
                "username": username,
                "password": OIDC_PASSWORD,
                "email": email,
                "email_verified": verified,
            }
            for username, email, verified in OIDC_USERS
        ],
        "client": {
            "client_id": OIDC_CLIENT_ID,
            "client_secret": OIDC_CLIENT_SECRET,
            "redirect_uri": f"http://testserver{OIDC_CALLBACK_PATH}",
        },
    }
    directory = tmp_path_factory.mktemp("oidc-provider")
    environment = {
        **os.environ,
        "OIDC_PROVIDER_DATABASE": str(directory / "provider.sqlite3"),
        "OIDC_PROVIDER_RSA_KEY": _rsa_private_key_pem(),
        "DJANGO_SETTINGS_MODULE": "accounts.tests.oidc_provider.settings",
    }
    log = (directory / "provider.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "accounts.tests.oidc_provider.serve",
            str(port),
            json.dumps(seed),
        ],
        cwd=REPO_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = OidcProvider(base_url=f"http://127.0.0.1:{port}")
    discovery = f"{provider.server_url}/.well-known/openid-configuration"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    "The test OIDC provider exited with "
                    f"{process.returncode}: {(directory / 'provider.log').read_text()}"
                )
            try:
                if requests.get(discovery, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("The test OIDC provider did not start in 60 s.")
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
