"""Celery tasks of the listings app: thin wrappers over the photo code."""

import logging

from celery import shared_task

from listings.models import ListingPhoto
from listings.photos import make_thumbnail

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=60, time_limit=90)
def make_listing_photo_thumbnail_task(photo_pk: int) -> bool:
    """Make the thumbnail of a photo unless it exists; return True if made.

    A photo deleted before the task runs is skipped.
    """
    photo = ListingPhoto.objects.filter(pk=photo_pk).first()
    if photo is None:
        logger.info("Skipped the thumbnail of photo %s: it was deleted", photo_pk)
        return False
    if photo.thumbnail:
        return False
    make_thumbnail(photo)
    logger.info("Made the thumbnail of photo %s", photo_pk)
    return True
