"""FID, KID and IS of generated images against the real set, overall and per class.

The computations are torchmetrics'; what this module adds is the bookkeeping that makes the
numbers honest: every result names the network its features came from, says whether it is
comparable with published FID (only the standard Inception-v3 weights are, and only from at
least as many images as the network has feature dimensions), records how many images it used
and the KID subset size, flags figures whose sample is too small to be unbiased, and is marked
unavailable with a plain reason, instead of failing the caller, when the network cannot be
loaded (e.g. no weights offline). `evaluate` also measures the generated images' artifact
figures (gan_engine.artifacts), which need no network and so exist in every report.

Small samples (docs/quality.md, "Small samples"):
- FID from fewer images than feature dimensions estimates rank-deficient covariances and is
  biased upward (it falls as the sample grows), so such a result is flagged `small_sample`
  with the counts and is never `fid_comparable`.
- KID is unbiased, but its spread comes from random subsets: subsets of the whole set are all
  the same and their "std" is zero. Subsets hold about half the smaller set (at least
  KID_MIN_SUBSET_SIZE images or the whole set when it is smaller, at most
  KID_MAX_SUBSET_SIZE, the usual 1000), so the std says how much the figure moves with the
  sample; where the subsets must be the whole of both sets, no std is given.
- IS estimates each split's marginal class distribution from the split's images; with fewer
  images per split than the classifier has classes that estimate is biased, so IS uses fewer
  splits on small sets (one per `logits` images, at least IS_MIN_SPLITS, at most IS_SPLITS)
  and is flagged `small_sample` when a split is still smaller than the number of classes.

Each image goes through the network once; the features are then shared by all three metrics
and all classes, which matters with Inception-v3 at 299 x 299 on a CPU.
"""

import math
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace

import torch
from torch import Tensor, nn
from torchmetrics.image.inception import InceptionScore
from torchmetrics.image.kid import KernelInceptionDistance

from gan_engine.artifacts import MIN_SIZE, artifact_figures
from gan_engine.extractors import (
    INCEPTION,
    ExtractedFeatures,
    ExtractorUnavailable,
    is_fid_comparable,
    load_extractor,
)
from gan_engine.metric_labels import metric_label

METRICS = ("fid", "kid", "is")
KID_SUBSETS = 100
KID_MIN_SUBSET_SIZE = 10
KID_MAX_SUBSET_SIZE = 1000
IS_SPLITS = 10
IS_MIN_SPLITS = 2


@dataclass(frozen=True)
class MetricResult:
    """One number with what it takes to read it: network, sample sizes, class, availability.

    `n_real` is 0 for IS, which looks at the generated images only. `params` holds the
    sampling settings that change the value (KID subset size and count, IS splits).
    `fid_comparable` holds only for the standard network and a large enough sample;
    `small_sample` marks a figure biased by its sample size, `small_sample_reason` says how.
    """

    name: str
    value: float | None
    std: float | None
    extractor: str
    fid_comparable: bool
    n_real: int
    n_fake: int
    class_name: str | None = None
    available: bool = True
    reason: str = ""
    params: dict[str, int] = field(default_factory=dict)
    small_sample: bool = False
    small_sample_reason: str = ""

    @property
    def label(self) -> str:
        """Named for the network (FID only for the standard one), whatever the sample size."""
        return metric_label(self.name, self.extractor, is_fid_comparable(self.extractor))

    def to_dict(self) -> dict:
        return {**asdict(self), "label": self.label}


@dataclass(frozen=True)
class EvaluationReport:
    """All results of one evaluation; overall results (class_name None) come first.

    `fid_comparable` is the network's claim (the standard Inception-v3 FID network), which is
    what labels follow; each result says whether its own figure is comparable. `artifacts` are
    the generated images' artifact figures (gan_engine.artifacts.FIGURES), empty only when the
    images are too small for them or were not given (`evaluate_features`).
    """

    extractor: str
    fid_comparable: bool
    results: list[MetricResult]
    artifacts: dict[str, float] = field(default_factory=dict)

    def get(self, name: str, class_name: str | None = None) -> MetricResult | None:
        """The result for metric `name` (overall unless `class_name`), None if not computed."""
        return next(
            (r for r in self.results if r.name == name and r.class_name == class_name), None
        )

    def to_dict(self) -> dict:
        """JSON-safe: plain types only, non-finite values already turned into None."""
        return {
            "extractor": self.extractor,
            "fid_comparable": self.fid_comparable,
            "results": [r.to_dict() for r in self.results],
            "artifacts": dict(self.artifacts),
        }


def frechet_distance(real: Tensor, fake: Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature matrices (rows are samples).

    The hard term, Tr(sqrt(sigma1 @ sigma2)), is the sum of the singular values of
    Xr @ Xf.T / sqrt((nr - 1)(nf - 1)) (Xr, Xf centred): the non-zero eigenvalues of
    sigma1 @ sigma2 are those of A @ A.T with that A. With fewer samples than dimensions, as
    in every evaluation of a few hundred images with 2048-d Inception features, that matrix is
    far smaller than d x d (0.07 s instead of 48 s of CPU for 225 vs 300 images) and needs no
    eigenvalues of a singular, non-symmetric product. With more samples, the d x d product's
    eigenvalues are the cheaper way (as torchmetrics and pytorch-fid take it). float64 throughout.
    """
    real, fake = (torch.as_tensor(t, dtype=torch.float64) for t in (real, fake))
    mean_real, mean_fake = real.mean(0), fake.mean(0)
    real_c, fake_c = real - mean_real, fake - mean_fake
    scale_real, scale_fake = len(real) - 1, len(fake) - 1
    if min(len(real), len(fake)) <= real.shape[1]:
        cross = real_c @ fake_c.T / (scale_real * scale_fake) ** 0.5
        sqrt_trace = torch.linalg.svdvals(cross).sum()
    else:
        product = (real_c.T @ real_c / scale_real) @ (fake_c.T @ fake_c / scale_fake)
        sqrt_trace = torch.linalg.eigvals(product).sqrt().real.sum()
    traces = real_c.square().sum() / scale_real + fake_c.square().sum() / scale_fake
    return float((mean_real - mean_fake).square().sum() + traces - 2 * sqrt_trace)


def evaluate(
    real: Tensor,
    fake: Tensor,
    *,
    real_labels: Tensor | None = None,
    fake_labels: Tensor | None = None,
    extractor: str = INCEPTION,
    weights_path: str | None = None,
    metrics: tuple[str, ...] = METRICS,
    device: str = "cpu",
    class_names: list[str] | None = None,
    batch_size: int = 64,
    seed: int = 0,
) -> EvaluationReport:
    """Compare generated images `fake` with the real set `real` (uint8, N x 3 x H x W).

    With labels, each class present in either set gets its own results after the overall ones,
    named `class_names[label]` (or the label as text). An extractor that cannot be loaded gives
    unavailable results with the reason rather than an exception; bad arguments still raise.
    `seed` fixes the random subsets of KID and splits of IS, so a report is reproducible.
    The artifact figures of `fake` are measured first: they need no network.
    """
    _check_images(real, "real")
    _check_images(fake, "fake")
    _check_metrics(metrics)
    groups = _class_groups(real, fake, real_labels, fake_labels, class_names)
    artifacts = _artifacts(fake)
    try:
        net = load_extractor(extractor, weights_path=weights_path, device=device)
    except ExtractorUnavailable as exc:
        report = _unavailable_report(extractor, metrics, groups, (len(real), len(fake)), str(exc))
        return replace(report, artifacts=artifacts)
    real_features = net.extract(real, batch_size=batch_size)
    fake_features = net.extract(fake, batch_size=batch_size)
    report = _evaluate_groups(extractor, real_features, fake_features, groups, metrics, seed)
    return replace(report, artifacts=artifacts)


def _artifacts(fake: Tensor) -> dict[str, float]:
    """The artifact figures, or none for images smaller than they are defined for."""
    if min(fake.shape[2:]) < MIN_SIZE:
        return {}
    return artifact_figures(fake)


def evaluate_features(
    real: ExtractedFeatures,
    fake: ExtractedFeatures,
    *,
    extractor: str,
    real_labels: Tensor | None = None,
    fake_labels: Tensor | None = None,
    metrics: tuple[str, ...] = METRICS,
    class_names: list[str] | None = None,
    seed: int = 0,
) -> EvaluationReport:
    """`evaluate` on features already extracted by the registered network `extractor`.

    For callers that need the same features for more than these metrics (precision/recall,
    nearest neighbours): each image then goes through the network once. Whether the results
    may be called FID comes from the registry, never from the caller.
    """
    _check_metrics(metrics)
    groups = _class_groups(real.features, fake.features, real_labels, fake_labels, class_names)
    return _evaluate_groups(extractor, real, fake, groups, metrics, seed)


def _evaluate_groups(
    extractor: str,
    real: ExtractedFeatures,
    fake: ExtractedFeatures,
    groups: list["_Group"],
    metrics: tuple[str, ...],
    seed: int,
) -> EvaluationReport:
    comparable = is_fid_comparable(extractor)
    results = [
        _compute(
            name,
            _subset(real, real_idx),
            _subset(fake, fake_idx),
            MetricResult(name, None, None, extractor, comparable, 0, 0, class_name),
            seed,
        )
        for class_name, real_idx, fake_idx in groups
        for name in metrics
    ]
    return EvaluationReport(extractor, comparable, results)


def _check_metrics(metrics: tuple[str, ...]) -> None:
    unknown = set(metrics) - set(METRICS)
    if unknown:
        raise ValueError(f"unknown metrics {sorted(unknown)}; choose from {METRICS}")


def _check_images(images: Tensor, which: str) -> None:
    """Reject what would silently give wrong numbers (floats in [0, 1], grey images)."""
    if not isinstance(images, Tensor) or images.dtype != torch.uint8:
        raise TypeError(
            f"{which} images must be a uint8 tensor, got {getattr(images, 'dtype', type(images))}"
        )
    if images.dim() != 4 or images.shape[1] != 3 or len(images) == 0:
        raise ValueError(
            f"{which} images must be N x 3 x H x W with N > 0, got {tuple(images.shape)}"
        )


_Group = tuple[str | None, Tensor | None, Tensor | None]


def _class_groups(
    real: Tensor,
    fake: Tensor,
    real_labels: Tensor | None,
    fake_labels: Tensor | None,
    class_names: list[str] | None,
) -> list[_Group]:
    """(class name, real indices, fake indices) per group; None indices mean the whole set."""
    overall: list[_Group] = [(None, None, None)]
    if real_labels is None and fake_labels is None:
        return overall
    if real_labels is None or fake_labels is None:
        raise ValueError("per-class metrics need both real_labels and fake_labels")
    for images, labels, which in ((real, real_labels, "real"), (fake, fake_labels, "fake")):
        if labels.shape != (len(images),):
            raise ValueError(
                f"{which}_labels must have shape ({len(images)},), got {tuple(labels.shape)}"
            )
    classes = sorted(set(real_labels.tolist()) | set(fake_labels.tolist()))
    return overall + [
        (
            _class_name(label, class_names),
            (real_labels == label).nonzero().flatten(),
            (fake_labels == label).nonzero().flatten(),
        )
        for label in classes
    ]


def _class_name(label: int, class_names: list[str] | None) -> str:
    if class_names is not None and 0 <= label < len(class_names):
        return class_names[label]
    return str(label)


def _subset(extracted: ExtractedFeatures, idx: Tensor | None) -> ExtractedFeatures:
    if idx is None:
        return extracted
    logits = extracted.logits[idx] if extracted.logits is not None else None
    return ExtractedFeatures(extracted.features[idx], logits)


def _unavailable_report(
    extractor: str,
    metrics: tuple[str, ...],
    groups: list[_Group],
    sizes: tuple[int, int],
    reason: str,
) -> EvaluationReport:
    """Every requested result, marked unavailable but still with the sample sizes it was for."""
    comparable = is_fid_comparable(extractor)
    results = [
        MetricResult(
            name,
            None,
            None,
            extractor,
            comparable,
            0 if name == "is" else _size(real_idx, sizes[0]),
            _size(fake_idx, sizes[1]),
            class_name,
            available=False,
            reason=reason,
        )
        for class_name, real_idx, fake_idx in groups
        for name in metrics
    ]
    return EvaluationReport(extractor, comparable, results)


def _size(idx: Tensor | None, whole: int) -> int:
    return whole if idx is None else len(idx)


def _compute(
    name: str, real: ExtractedFeatures, fake: ExtractedFeatures, blank: MetricResult, seed: int
) -> MetricResult:
    """Fill `blank` with metric `name`, or mark it unavailable when the samples cannot give it."""
    n_real, n_fake = len(real.features), len(fake.features)
    if name == "is":
        blank = _replace(blank, n_fake=n_fake)
        if fake.logits is None:
            return _replace(
                blank, available=False, reason=f"{blank.extractor} has no classifier logits"
            )
        if n_fake == 0:
            return _replace(blank, available=False, reason="no generated images")
        return _flag_small_split(_finished(blank, *_inception_score(fake.logits, seed)), fake)
    blank = _replace(blank, n_real=n_real, n_fake=n_fake)
    if min(n_real, n_fake) < 2:
        reason = f"needs at least 2 real and 2 generated images, got {n_real} and {n_fake}"
        return _replace(blank, available=False, reason=reason)
    if name == "fid":
        fid = _finished(blank, frechet_distance(real.features, fake.features), None, {})
        return _flag_few_images(fid, real.features.shape[1])
    return _finished(blank, *_kid(real.features, fake.features, seed))


def _flag_few_images(result: MetricResult, dimensions: int) -> MetricResult:
    """Flag a Fréchet distance from fewer images than feature dimensions (biased upward)."""
    if not result.available or min(result.n_real, result.n_fake) >= dimensions:
        return result
    reason = (
        f"{result.label} from {result.n_real} real and {result.n_fake} generated images, "
        f"fewer than its {dimensions} feature dimensions: the covariances are rank-deficient "
        "and the value is biased upward (it falls as the sample grows); compare it only with "
        "figures from the same image counts"
    )
    return _replace(result, small_sample=True, small_sample_reason=reason, fid_comparable=False)


def _flag_small_split(result: MetricResult, fake: ExtractedFeatures) -> MetricResult:
    """Flag a score whose splits hold fewer images than the classifier has classes."""
    splits, classes = result.params.get("splits"), fake.logits.shape[1]
    if not splits or result.n_fake // splits >= classes:
        return result
    reason = (
        f"{result.label} from {result.n_fake} generated images in {splits} splits of about "
        f"{result.n_fake // splits}, fewer than the classifier's {classes} classes: each "
        "split's class distribution is poorly estimated and the score is biased; compare it "
        "only with figures from the same image counts"
    )
    return _replace(result, small_sample=True, small_sample_reason=reason, fid_comparable=False)


def _replace(result: MetricResult, **changes) -> MetricResult:
    return MetricResult(**{**asdict(result), **changes})


def _finished(blank: MetricResult, value: float, std: float | None, params: dict) -> MetricResult:
    """Store the numbers; a non-finite value (degenerate features) is reported, not stored."""
    if not math.isfinite(value):
        return _replace(blank, available=False, reason=f"the value is not finite ({value})")
    std = std if std is not None and math.isfinite(std) else None
    return _replace(blank, value=value, std=std, params=params)


class _Precomputed(nn.Module):
    """Hands features already extracted to torchmetrics, so the network runs once per image."""

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = num_features  # read by FID instead of probing with a dummy image

    def forward(self, features: Tensor) -> Tensor:
        return features


@contextmanager
def _seeded(seed: int):
    """KID and IS draw subsets with torch's global RNG: seed it without disturbing the caller."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def kid_subset_size(n_real: int, n_fake: int) -> int:
    """About half the smaller set, so that subsets differ and their spread means something;
    at least KID_MIN_SUBSET_SIZE (or the whole smaller set), at most KID_MAX_SUBSET_SIZE."""
    smaller = min(n_real, n_fake)
    return min(KID_MAX_SUBSET_SIZE, max(smaller // 2, min(smaller, KID_MIN_SUBSET_SIZE)))


def _kid(real: Tensor, fake: Tensor, seed: int) -> tuple[float, float | None, dict]:
    """KID over random subsets (see kid_subset_size); no std where every subset is the whole
    of both sets, since those subsets are all the same."""
    subset_size = kid_subset_size(len(real), len(fake))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*will save all extracted features")
        metric = KernelInceptionDistance(
            feature=_Precomputed(real.shape[1]), subsets=KID_SUBSETS, subset_size=subset_size
        )
    metric.update(real, real=True)
    metric.update(fake, real=False)
    with _seeded(seed):
        mean, std = metric.compute()
    spread = None if subset_size == max(len(real), len(fake)) else float(std)
    return float(mean), spread, {"subset_size": subset_size, "subsets": KID_SUBSETS}


def inception_score_splits(n_images: int, classes: int) -> int:
    """One split per `classes` images, between IS_MIN_SPLITS and IS_SPLITS (and never more
    than there are images): small sets get fewer, larger splits rather than ten tiny ones."""
    return min(n_images, max(IS_MIN_SPLITS, min(IS_SPLITS, n_images // classes)))


def _inception_score(logits: Tensor, seed: int) -> tuple[float, float, dict]:
    """IS over inception_score_splits splits (one split has no std)."""
    splits = inception_score_splits(len(logits), logits.shape[1])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*will save all extracted features")
        metric = InceptionScore(feature=_Precomputed(logits.shape[1]), splits=splits)
    metric.update(logits)
    with _seeded(seed):
        mean, std = metric.compute()
    used = len(logits.chunk(splits))  # torch.chunk may make fewer, e.g. 12 images -> 6 of 2
    return float(mean), float(std), {"splits": used}
