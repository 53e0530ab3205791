"""The Generate form of a model page: what start_generation needs, checked for the user."""

from django import forms
from django.conf import settings


class GenerateForm(forms.Form):
    count_per_class = forms.IntegerField()  # bounds set per request from the settings
    classes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, help_text="None ticked: all classes"
    )
    seed = forms.IntegerField(
        min_value=0, required=False, help_text="Leave empty for a random seed (it is recorded)"
    )

    def __init__(self, *args, class_names: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classes"].choices = [(name, name) for name in class_names]
        self.fields["count_per_class"] = forms.IntegerField(
            min_value=1,
            max_value=settings.GENERATION_MAX_COUNT_PER_CLASS,
            initial=100,
            label="Images per class",
        )
