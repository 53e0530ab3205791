"""What the demo dataset is: its slug and the data card that says how it was made."""

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
