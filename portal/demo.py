"""What the demo dataset is and who owns it: shared by `build_demo_dataset` and `seed_demo`."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

DEMO_SLUG = "ihc-colon-dab-demo"
DEMO_KEYWORDS = ["immunohistochemistry", "DAB", "colon", "demo", "scikit-image"]
DEMO_DESCRIPTION = (
    "Small real source set for trying the portal: 64x64 tiles of an immunohistochemistry (IHC) "
    "slide of colon tissue, in three classes by the amount of DAB (brown) stain."
)
DEMO_DATA_CARD = """\
How it was made: the 512x512 RGB image returned by skimage.data.immunohistochemistry() (an IHC
stain of colon tissue that ships inside the scikit-image wheel; nothing was downloaded) was cut
into 64x64 tiles with a stride of 32 pixels (225 overlapping tiles). For each tile, the DAB
stain channel was computed with skimage.color.rgb2hed and averaged; the tiles were split into
three classes at the tertiles of that mean: dab-low, dab-medium and dab-high. No augmentation
was applied: every image is a crop of the original slide.

Class counts: {counts}

Intended use: demonstrating and testing training and generation in the portal.
Limits: all tiles come from ONE slide of ONE patient and overlap by half; the classes are a
stain-intensity proxy, not a diagnosis. Do not use for clinical research.
"""


def demo_owner(*, username: str | None = None):
    """The named user, or the first superuser: the demo belongs to the local administrator."""
    users = get_user_model().objects
    if username:
        owner = users.filter(username=username).first()
        if owner is None:
            raise CommandError(f"No user named {username!r}.")
        return owner
    owner = users.filter(is_superuser=True).order_by("pk").first()
    if owner is None:
        raise CommandError("No superuser exists: create one first or pass --owner USERNAME.")
    return owner
