"""Server-rendered profile, neighbourhood and account deletion pages."""

from allauth.account.internal.flows.reauthentication import (
    did_recently_reauthenticate,
)
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    AddNeighbourhoodForm,
    ConfirmNeighbourhoodForm,
    EraseAccountForm,
    ProfileForm,
)
from accounts.models import User, UserNeighbourhood
from accounts.selectors import (
    confirmation_expires_at,
    is_confirmation_valid,
    user_neighbourhoods,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "login_required runs first"
    return user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        initial={"display_name": user.display_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                user=user,
                display_name=form.cleaned_data["display_name"],
                avatar=form.cleaned_data["avatar"] or None,
                remove_avatar=form.cleaned_data["remove_avatar"],
            )
        except ValidationError as error:
            field = "avatar" if "avatar" in (error.code or "") else "display_name"
            form.add_error(field, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("account_profile")
    return render(request, "account/profile.html", {"form": form, "profile": user})


@login_required
def neighbourhoods(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = [
        {
            "membership": membership,
            "is_confirmed": is_confirmation_valid(membership),
            "expires_at": confirmation_expires_at(membership),
        }
        for membership in user_neighbourhoods(user)
    ]
    context = {
        "rows": rows,
        "add_form": AddNeighbourhoodForm(),
        "radius_km": settings.ACCOUNTS_NEIGHBOURHOOD_RADIUS_KM,
        "valid_days": settings.ACCOUNTS_NEIGHBOURHOOD_VALID_DAYS,
    }
    return render(request, "account/neighbourhoods.html", context)


@login_required
@require_POST
def add_neighbourhood(request: HttpRequest) -> HttpResponse:
    form = AddNeighbourhoodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a neighbourhood from the list.")
        return redirect("account_neighbourhoods")
    try:
        services.add_neighbourhood(
            user=_user(request), neighbourhood=form.cleaned_data["neighbourhood"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("account_neighbourhoods")


@login_required
@require_POST
def confirm_neighbourhood(request: HttpRequest, neighbourhood_id: int) -> HttpResponse:
    membership = get_object_or_404(
        UserNeighbourhood, user=_user(request), neighbourhood_id=neighbourhood_id
    )
    form = ConfirmNeighbourhoodForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The location is missing or invalid; allow location access or "
            "enter latitude and longitude in decimal degrees.",
        )
        return redirect("account_neighbourhoods")
    try:
        services.confirm_neighbourhood(
            membership=membership,
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.neighbourhood.name} confirmed.")
    return redirect("account_neighbourhoods")


@login_required
@require_POST
def remove_neighbourhood(request: HttpRequest, neighbourhood_id: int) -> HttpResponse:
    membership = get_object_or_404(
        UserNeighbourhood, user=_user(request), neighbourhood_id=neighbourhood_id
    )
    services.remove_neighbourhood(membership=membership)
    messages.success(request, f"{membership.neighbourhood.name} removed.")
    return redirect("account_neighbourhoods")


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    needs_password = user.has_usable_password()
    form = EraseAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        if needs_password and not user.check_password(password):
            form.add_error(
                "password", "The password is incorrect. Nothing was deleted."
            )
        elif not needs_password and not did_recently_reauthenticate(request):
            reauthenticate_url = reverse("account_reauthenticate")
            return redirect(f"{reauthenticate_url}?next={request.path}")
        else:
            services.erase_user(user=user)
            logout(request)
            messages.success(request, "Your account has been deleted.")
            return redirect("home")
    context = {"form": form, "needs_password": needs_password}
    return render(request, "account/erase.html", context)


def public_profile(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    names = [
        membership.neighbourhood.name
        for membership in user_neighbourhoods(person)
        if is_confirmation_valid(membership)
    ]
    context = {"person": person, "neighbourhood_names": names}
    return render(request, "account/public_profile.html", context)
