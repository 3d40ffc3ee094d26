"""Forms of the server-rendered account pages."""

from django import forms

from accounts.models import Neighbourhood


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False)
    avatar = forms.FileField(
        required=False,
        help_text="JPEG, PNG, WebP or GIF.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_avatar = forms.BooleanField(required=False)


class AddNeighbourhoodForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(queryset=Neighbourhood.objects.all())


class ConfirmNeighbourhoodForm(forms.Form):
    latitude = forms.FloatField(min_value=-90, max_value=90)
    longitude = forms.FloatField(min_value=-180, max_value=180)


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )
