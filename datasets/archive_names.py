"""The names a version's ZIP is known by: its file name and its top folder, which every path
inside it starts with. The ZIP's builder, its download and its Croissant description all name
it the same way."""

from datasets.models import DatasetVersion


def archive_file_name(version: DatasetVersion) -> str:
    return f"{top_folder(version)}.zip"


def top_folder(version: DatasetVersion) -> str:
    return f"{version.dataset.slug}-v{version.number}"
