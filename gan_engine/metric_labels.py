"""Display names of metrics: the standard name only for the standard Inception-v3 features.

Kept apart from metrics.py (which needs torch and torchmetrics) so that web pages can label
stored figures without loading either.
"""

# name -> (standard label, label for any other network, what of the network it uses)
LABELS = {
    "fid": ("FID", "Fréchet distance", "features"),
    "kid": ("KID", "Kernel distance", "features"),
    "is": ("IS", "Classifier score", "logits"),
}


def metric_label(name: str, extractor: str, standard_network: bool) -> str:
    """Display name that never calls a distance on other features "FID".

    `standard_network` is the registry's claim that `extractor` is the standard Inception-v3
    FID network; the name follows the network only, so a FID from too few images is still
    "FID", flagged as a small sample beside it (gan_engine.metrics).
    """
    standard, generic, part = LABELS[name]
    if standard_network:
        return f"{standard} (Inception-v3)"
    return f"{generic} ({extractor} {part})"
