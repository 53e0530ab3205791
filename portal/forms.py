"""Forms of the accounts pages."""

from django import forms
from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional: for curators to reach you about access requests."
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
