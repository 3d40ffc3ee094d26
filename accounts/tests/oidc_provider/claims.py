"""Claims that the test provider returns about its users."""

from oauth2_provider.oauth2_validators import OAuth2Validator

# Members of this group have a verified email address at the provider.
VERIFIED_EMAIL_GROUP = "verified-email"


class ClaimsValidator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.groups.filter(name=VERIFIED_EMAIL_GROUP).exists(),
            "name": user.get_full_name() or user.username,
            "preferred_username": user.username,
        }
