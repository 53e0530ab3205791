"""Forms of the catalogue pages. They parse what a curator typed; the rules stay in services
(import_dataset, update_draft, publish_version), whose refusals the views put back on the form."""

from contextlib import AbstractContextManager
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from datasets.constants import Modality, Visibility
from datasets.exceptions import ImportRejected
from datasets.models import (
    Creator,
    Dataset,
    DatasetVersion,
    FundingReference,
    License,
    RelatedIdentifier,
)
from datasets.services import CreatorSpec
from datasets.uploads import named_upload

CREATORS_HELP = (
    "One per line, in citation order: Family name, Given names | ORCID iD | Affiliation "
    "(ORCID and affiliation optional), e.g. Doe, Jane | 0000-0002-1825-0097 | Example University"
)


class CatalogueFieldsForm(forms.Form):
    """What describes a dataset and its draft: shared by the upload and the edit forms."""

    title = forms.CharField(max_length=300)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the images show, for the dataset's page and search.",
    )
    keywords = forms.CharField(required=False, help_text="Comma-separated, e.g. breast, grading")
    modality = forms.ChoiceField(choices=Modality.choices, initial=Modality.OTHER)
    organ = forms.CharField(max_length=100, required=False)
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        help_text="Private: only you, collaborators and staff. Restricted: everyone sees the "
        "description, files on approved request. Public: everyone.",
    )
    license = forms.ModelChoiceField(
        queryset=License.objects.all(),
        to_field_name="spdx_id",
        empty_label="Choose a license",
        help_text="Publishing needs one.",
    )
    creators = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text=CREATORS_HELP
    )
    version_description = forms.CharField(
        label="Data card",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="How the images were obtained, intended use, limits.",
    )

    def clean_keywords(self) -> list[str]:
        return [word.strip() for word in self.cleaned_data["keywords"].split(",") if word.strip()]

    def clean_creators(self) -> list[CreatorSpec]:
        lines = [line for line in self.cleaned_data["creators"].splitlines() if line.strip()]
        try:
            return [CreatorSpec.parse(line.strip()) for line in lines]
        except ImportRejected as error:
            raise forms.ValidationError(str(error)) from None


class UploadForm(CatalogueFieldsForm):
    archive = forms.FileField(
        label="ZIP of class folders",
        help_text="One folder per class (G1/, G2/, ...) of PNG, JPEG, TIFF or BMP images.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    field_order = ["archive", "title"]

    def clean_archive(self) -> UploadedFile:
        upload = self.cleaned_data["archive"]
        if upload.size > settings.IMPORT_MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                f"{upload.size} bytes: over the limit of {settings.IMPORT_MAX_TOTAL_BYTES}"
            )
        return upload

    def archive_path(self) -> AbstractContextManager[Path]:
        """The upload as a file on disk under the user's own file name, for import_dataset."""
        return named_upload(self.cleaned_data["archive"])


class DraftForm(CatalogueFieldsForm):
    # Visibility is not a draft's to change: it has its own page (datasets:visibility).
    visibility = None
    changes = forms.CharField(
        label="Changes since the previous version",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    @classmethod
    def initial_for(cls, version: DatasetVersion, creators) -> dict:
        dataset: Dataset = version.dataset
        return {
            "title": dataset.title,
            "description": dataset.description,
            "keywords": ", ".join(dataset.keywords),
            "modality": dataset.modality,
            "organ": dataset.organ,
            "license": version.license,
            "creators": "\n".join(creator_line(creator) for creator in creators),
            "version_description": version.description,
            "changes": version.changes,
        }


def creator_line(creator: Creator) -> str:
    """A creator as the creators field takes it back: `Name | ORCID | Affiliation`."""
    return " | ".join([creator.name, creator.orcid, creator.affiliation]).rstrip(" |")


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices, widget=forms.RadioSelect)


class AccessRequestForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Who you are and what you need the files for.",
    )


class CollaboratorForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Their account's username. Collaborators edit and publish drafts and see the "
        "files; only you and staff choose collaborators.",
    )


class RelatedIdentifierForm(forms.ModelForm):
    class Meta:
        model = RelatedIdentifier
        fields = RelatedIdentifier.CURATED_FIELDS


class FundingReferenceForm(forms.ModelForm):
    class Meta:
        model = FundingReference
        fields = FundingReference.CURATED_FIELDS
