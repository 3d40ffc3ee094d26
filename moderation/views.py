"""Form handlers behind the report and block buttons of the site pages."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from listings.models import Listing
from moderation import services

logger = logging.getLogger(__name__)


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to report or block.")
    return user


@require_POST
@login_required
def report_listing(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=pk)
    try:
        services.report_listing(
            reporter=_signed_in(request),
            listing=listing,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
    except services.ModerationError as error:
        logger.info(
            "Rejected report of listing %s by user %s: %s", pk, request.user.pk, error
        )
        messages.error(request, str(error))
    else:
        messages.success(request, "Thank you; staff will review your report.")
    return _back(request, reverse("listing-detail", args=[pk]))


@require_POST
@login_required
def block_user(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = get_object_or_404(User, pk=pk)
    try:
        services.block_user(blocker=_signed_in(request), blocked=blocked)
    except services.ModerationError as error:
        logger.info(
            "Rejected block of user %s by user %s: %s", pk, request.user.pk, error
        )
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"You blocked {blocked}; you will not see each other's listings."
        )
    return _back(request, reverse("home"))


@require_POST
@login_required
def unblock_user(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = get_object_or_404(User, pk=pk)
    if services.unblock_user(blocker=_signed_in(request), blocked=blocked):
        messages.success(request, f"You unblocked {blocked}.")
    return _back(request, reverse("home"))
