"""Profile edits: display name and avatar."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.avatars import validate_avatar
from accounts.models import User

MAX_DISPLAY_NAME_LENGTH = User._meta.get_field("display_name").max_length or 80


@transaction.atomic
def update_profile(
    *,
    user: User,
    display_name: str | None = None,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> User:
    """Change the display name and the avatar; None leaves a field as it is.

    Everything is validated before anything is written, so a rejected avatar
    leaves the old name and avatar in place.
    """
    if user.is_erased:
        raise ValidationError("This account has been deleted.", code="erased")
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > MAX_DISPLAY_NAME_LENGTH:
            raise ValidationError(
                f"The display name is {len(display_name)} characters; the "
                f"maximum is {MAX_DISPLAY_NAME_LENGTH}.",
                code="display_name_too_long",
            )
    if avatar is not None:
        validate_avatar(avatar)

    update_fields = []
    if display_name is not None:
        user.display_name = display_name
        update_fields.append("display_name")
    old_avatar_name = user.avatar.name if user.avatar else ""
    if avatar is not None:
        user.avatar.save(avatar.name or "avatar", avatar, save=False)
        update_fields.append("avatar")
    elif remove_avatar and user.avatar:
        user.avatar = None
        update_fields.append("avatar")
    if update_fields:
        user.save(update_fields=update_fields)
    if "avatar" in update_fields and old_avatar_name:
        storage = User._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return user
