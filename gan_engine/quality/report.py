"""The quality report of a synthetic set against the real set it was made from.

One call, `quality_report`, answers the two questions a researcher has about a synthetic
dataset: is it any good (fidelity and diversity; usefulness for training a classifier), and
does it copy the real images (memorization)? Each figure carries the network its features came
from and the sample sizes, and the whole report is a function of its inputs and `seed`.

Order of work: split the real set (or take the stored split), train the domain CNN on the train
part (or take the one stored with the split), extract features once per network, then compute
every figure from those features. The domain CNN is always used (memorization and usefulness
need it, and it sees texture); the standard Inception-v3 is used as well where one of its builds
can be loaded (torch-fidelity's, else the packaged TorchScript one), and otherwise reported as
unavailable with the reason.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from gan_engine.extractors import (
    ExtractedFeatures,
    ExtractorUnavailable,
    fid_extractor_candidates,
    is_fid_comparable,
    load_extractor,
)
from gan_engine.metrics import MetricResult, evaluate_features
from gan_engine.quality.classifier import (
    DEFAULT_CONFIG,
    ClassifierConfig,
    DomainClassifier,
    LabelledImages,
    train_classifier,
)
from gan_engine.quality.domain_extractor import register_domain_extractor
from gan_engine.quality.manifold import ManifoldResult, manifold_results
from gan_engine.quality.memorization import (
    PIXEL_SIZE,
    MemorizationReport,
    memorization_report,
    pixel_vectors,
)
from gan_engine.quality.split import RealSplit, split_real
from gan_engine.quality.usefulness import UsefulnessReport, usefulness_report

FORMAT = "gan_engine.quality.report/1"
# The report's phases in order, as passed to its `on_phase` callback when each one begins.
DOMAIN_CNN, FEATURES, MEMORIZATION, USEFULNESS = (
    "domain_cnn",
    "features",
    "memorization",
    "usefulness",
)
PHASES = (DOMAIN_CNN, FEATURES, MEMORIZATION, USEFULNESS)
DISTANCE_METRICS = ("fid", "kid")
PIXEL_SPACE = f"pixels-{PIXEL_SIZE}x{PIXEL_SIZE}"


@dataclass(frozen=True)
class FidelityReport:
    """Distances (FID/KID or their generic names) and manifold figures in one feature space."""

    extractor: str
    available: bool
    reason: str
    distances: tuple[MetricResult, ...] = ()
    manifold: tuple[ManifoldResult, ...] = ()

    @property
    def fid_comparable(self) -> bool:
        return is_fid_comparable(self.extractor)

    def to_dict(self) -> dict:
        return {
            "extractor": self.extractor,
            "fid_comparable": self.fid_comparable,
            "available": self.available,
            "reason": self.reason,
            "distances": [r.to_dict() for r in self.distances],
            "manifold": [r.to_dict() for r in self.manifold],
        }


@dataclass(frozen=True)
class QualityReport:
    """Everything `quality_report` found; `domain_classifier` is for the caller to store."""

    seed: int
    class_names: tuple[str, ...]
    split: RealSplit
    real_counts: dict[str, int]
    synthetic_counts: dict[str, int]
    domain_extractor: str
    fidelity: tuple[FidelityReport, ...]  # Inception-v3 (maybe unavailable), then the domain CNN
    memorization: MemorizationReport
    usefulness: UsefulnessReport
    domain_classifier: DomainClassifier = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """JSON-safe: plain types only (unavailable figures are None with a reason)."""
        return {
            "format": FORMAT,
            "seed": self.seed,
            "class_names": list(self.class_names),
            "split": self.split.to_dict(),
            "counts": {
                "real": dict(self.real_counts),
                "synthetic": dict(self.synthetic_counts),
                "real_train": len(self.split.train),
                "held_out": len(self.split.held_out),
            },
            "domain_extractor": self.domain_extractor,
            "fidelity": [f.to_dict() for f in self.fidelity],
            "memorization": self.memorization.to_dict(),
            "usefulness": self.usefulness.to_dict(),
        }


def quality_report(
    real_images: Tensor,
    real_labels: Tensor | Sequence[int],
    synthetic_images: Tensor,
    synthetic_labels: Tensor | Sequence[int],
    class_names: Sequence[str],
    *,
    seed: int = 0,
    split: RealSplit | None = None,
    memorization_threshold: float = 0.05,
    inception_weights_path: str | None = None,
    device: str = "cpu",
    classifier_config: ClassifierConfig = DEFAULT_CONFIG,
    domain_tag: str | None = None,
    domain_classifier: DomainClassifier | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> QualityReport:
    """Assess `synthetic_images` against `real_images` (uint8 N x 3 x H x W, same H x W; labels
    index `class_names`). `split` is a stored split of the real set (default: a new one from
    `seed`); the set is flagged when its memorized share exceeds `memorization_threshold`.
    The domain CNN is registered as `domain-cnn-<domain_tag or its fingerprint>`.

    `domain_classifier` is one stored with `split` from an earlier report (trained on its train
    part): it is reused instead of retrained, so every report on the same real set shares one
    feature network and one usefulness baseline (a), and its own config and seed, not
    `classifier_config` and `seed`, train (b) and (c). `on_phase(name)` is called as each of
    PHASES begins (DOMAIN_CNN only when a classifier is trained), for progress reports.
    """
    class_names = tuple(class_names)
    begin = on_phase or (lambda _name: None)
    real = labelled(real_images, real_labels, class_names, "real")
    synthetic = labelled(synthetic_images, synthetic_labels, class_names, "synthetic")
    if real.images.shape[-2:] != synthetic.images.shape[-2:]:
        raise ValueError(
            f"real and synthetic images differ in size: {tuple(real.images.shape[-2:])} and "
            f"{tuple(synthetic.images.shape[-2:])}"
        )
    split = split or split_real(real.labels, seed=seed)
    split.check(real.labels)
    real_train, held_out = real.subset(split.train), real.subset(split.held_out)
    if domain_classifier is None:
        begin(DOMAIN_CNN)
        domain = train_classifier(
            real_train, class_names, config=classifier_config, seed=seed, device=device
        )
    elif domain_classifier.class_names != class_names:
        raise ValueError(
            f"the stored domain classifier knows the classes {list(domain_classifier.class_names)}"
            f", not {list(class_names)}"
        )
    else:
        domain = domain_classifier
    begin(FEATURES)
    domain_name = register_domain_extractor(domain, domain_tag)
    domain_features = extract(domain_name, None, device, real, synthetic)
    fidelity = (
        inception_fidelity(inception_weights_path, device, real, synthetic, class_names, seed),
        fidelity_report(domain_name, *domain_features, real, synthetic, class_names, seed),
    )
    begin(MEMORIZATION)
    spaces = {
        PIXEL_SPACE: (pixel_vectors(real.images), pixel_vectors(synthetic.images)),
        domain_name: (domain_features[0].features, domain_features[1].features),
    }
    memorization = memorization_report(spaces, max_share=memorization_threshold)
    begin(USEFULNESS)
    usefulness = usefulness_report(
        domain, real_train=real_train, synthetic=synthetic, held_out=held_out, device=device
    )
    return QualityReport(
        seed=seed,
        class_names=class_names,
        split=split,
        real_counts=counts(real.labels, class_names),
        synthetic_counts=counts(synthetic.labels, class_names),
        domain_extractor=domain_name,
        fidelity=fidelity,
        memorization=memorization,
        usefulness=usefulness,
        domain_classifier=domain,
    )


def labelled(
    images: Tensor, labels: Tensor | Sequence[int], class_names: tuple[str, ...], which: str
) -> LabelledImages:
    """Images with labels as a tensor, refusing labels outside `class_names`."""
    labels = torch.as_tensor(labels, dtype=torch.long)
    if not len(labels):
        raise ValueError(f"no {which} images")
    if not 0 <= int(labels.min()) <= int(labels.max()) < len(class_names):
        raise ValueError(f"{which} labels must be in 0..{len(class_names) - 1}")
    return LabelledImages(images, labels)


def counts(labels: Tensor, class_names: tuple[str, ...]) -> dict[str, int]:
    return {name: int((labels == i).sum()) for i, name in enumerate(class_names)}


def extract(
    name: str,
    weights_path: str | None,
    device: str,
    real: LabelledImages,
    synthetic: LabelledImages,
) -> tuple[ExtractedFeatures, ExtractedFeatures]:
    """Features of both sets from the registered network `name` (each image once)."""
    net = load_extractor(name, weights_path=weights_path, device=device)
    return net.extract(real.images), net.extract(synthetic.images)


def inception_fidelity(
    weights_path: str | None,
    device: str,
    real: LabelledImages,
    synthetic: LabelledImages,
    class_names: tuple[str, ...],
    seed: int,
) -> FidelityReport:
    """Figures from the first FID network that loads (`fid_extractor_candidates`: torch-
    fidelity's Inception-v3, then its packaged TorchScript build), or an unavailable entry
    under the first one's name that says why none loaded (e.g. no weights offline)."""
    candidates = fid_extractor_candidates(weights_path)
    reasons = []
    for name in candidates:
        try:
            features = extract(name, weights_path, device, real, synthetic)
        except ExtractorUnavailable as exc:
            reasons.append(str(exc))
            continue
        return fidelity_report(name, *features, real, synthetic, class_names, seed)
    return FidelityReport(candidates[0], available=False, reason="; ".join(reasons))


def fidelity_report(
    extractor: str,
    real_features: ExtractedFeatures,
    synthetic_features: ExtractedFeatures,
    real: LabelledImages,
    synthetic: LabelledImages,
    class_names: tuple[str, ...],
    seed: int,
) -> FidelityReport:
    """FID/KID (named for what they are) and the manifold figures, overall and per class."""
    distances = evaluate_features(
        real_features,
        synthetic_features,
        extractor=extractor,
        real_labels=real.labels,
        fake_labels=synthetic.labels,
        metrics=DISTANCE_METRICS,
        class_names=list(class_names),
        seed=seed,
    )
    manifold = manifold_results(
        real_features.features,
        synthetic_features.features,
        real_labels=real.labels,
        fake_labels=synthetic.labels,
        class_names=class_names,
        extractor=extractor,
        seed=seed,
    )
    return FidelityReport(extractor, True, "", tuple(distances.results), tuple(manifold))
