"""Who a version names as its authors, in citation order: creators as curators write them, checked
on construction."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from datasets.exceptions import ImportRejected
from datasets.models import Authorship, Creator, DatasetVersion
from datasets.orcid import normalize_orcid


@dataclass(frozen=True)
class CreatorSpec:
    """A creator as a curator writes one; checked on construction, so a bad one never exists."""

    name: str
    orcid: str = ""
    affiliation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "orcid", normalize_orcid(self.orcid))
        object.__setattr__(self, "affiliation", self.affiliation.strip())
        creator = Creator(name=self.name, orcid=self.orcid, affiliation=self.affiliation)
        try:
            # Field checks only (ORCID format and check digit, lengths): no database needed.
            creator.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ImportRejected(f"creator {self.name!r}: {one_line(error)}") from None

    @classmethod
    def parse(cls, text: str) -> "CreatorSpec":
        """`Name|ORCID|Affiliation`, as typed after --creator; ORCID and affiliation optional."""
        fields = text.split("|")
        if len(fields) > 3:
            raise ImportRejected(
                f"creator {text!r}: expected 'Name|ORCID|Affiliation', found {len(fields)} fields"
            )
        return cls(*fields)


def one_line(error: ValidationError) -> str:
    """A model ValidationError as one line, field names first."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def check_distinct_creators(creators: Sequence[CreatorSpec]) -> None:
    orcids = [creator.orcid for creator in creators if creator.orcid]
    for orcid, count in Counter(orcids).items():
        if count > 1:
            raise ImportRejected(f"creator ORCID iD {orcid} is listed {count} times")


def add_creators(*, version: DatasetVersion, creators: Sequence[CreatorSpec]) -> None:
    """Name `creators` as the authors of a draft that has none yet, in citation order."""
    Authorship.objects.bulk_create(
        Authorship(version=version, creator=_creator(spec), position=position)
        for position, spec in enumerate(creators)
    )


def _creator(spec: CreatorSpec) -> Creator:
    """The creator already known by this ORCID iD (an iD names one person), or a new one."""
    if spec.orcid:
        creator, _ = Creator.objects.get_or_create(
            orcid=spec.orcid, defaults={"name": spec.name, "affiliation": spec.affiliation}
        )
        return creator
    return Creator.objects.create(name=spec.name, affiliation=spec.affiliation)


def creator_for_user(user: AbstractBaseUser) -> CreatorSpec | None:
    """`user` as a citation names them ("Family, Given"), or None for an account without a name:
    a username is no author's name, so such a draft asks its curator for creators instead."""
    name = ", ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    if not name:
        return None
    return CreatorSpec(name=name[: Creator._meta.get_field("name").max_length])
