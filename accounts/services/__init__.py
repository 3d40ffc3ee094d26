"""Write operations on accounts: profile, neighbourhoods and erasure."""

from accounts.services.erasure import erase_user
from accounts.services.neighbourhoods import (
    add_neighbourhood,
    confirm_neighbourhood,
    remove_neighbourhood,
)
from accounts.services.profile import update_profile

__all__ = [
    "add_neighbourhood",
    "confirm_neighbourhood",
    "erase_user",
    "remove_neighbourhood",
    "update_profile",
]
