"""What the demo dataset is: its slug and the data card that says how it was made."""

import inspect

from gan_engine import demo_data

DEMO_SLUG = "ihc-colon-dab-demo"
DEMO_KEYWORDS = ["immunohistochemistry", "DAB", "colon", "demo", "scikit-image"]
DEMO_DESCRIPTION = (
    "Small real source set for trying the portal: 64x64 tiles of an immunohistochemistry (IHC) "
    "slide of colon tissue, in three classes by the amount of DAB (brown) stain."
)
# The data card quotes the tile builder's own description, so the two can never disagree.
DEMO_DATA_CARD = (
    inspect.cleandoc(demo_data.__doc__).replace("{", "{{").replace("}", "}}")
    + """

Class counts: {counts}

Intended use: demonstrating and testing training and generation in the portal.
Limits: all tiles come from ONE slide of ONE patient and overlap by half; the classes are a
stain-amount proxy, not a diagnosis. Do not use for clinical research.
"""
)
