"""An admin action step that requests a reason from staff before acting."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from moderation.services import REASON_MAX_LENGTH


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=REASON_MAX_LENGTH,
        help_text="Recorded in the moderation history with your name and the time.",
    )


def ask_reason(
    model_admin: "admin.ModelAdmin[Any]",
    request: HttpRequest,
    queryset: QuerySet[Model],
    *,
    title: str,
    apply: Callable[[str], str],
) -> HttpResponse | None:
    """Show a reason form for the selected rows, or apply the action.

    `apply` takes the reason, acts on the rows and returns the message for
    staff. Returning None sends the admin back to the change list.
    """
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        model_admin.message_user(request, apply(form.cleaned_data["reason"]))
        return None

    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": model_admin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "moderation/reason_form.html", context)
