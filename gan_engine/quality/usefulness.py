"""Usefulness: train on synthetic, test on real (TSTR), against the real-only baseline.

The same DomainCNN, config and seed learn from (a) the real train split, (b) the synthetic set,
(c) both together; each is scored on the held-out real images, which none of them saw. (a) is
the domain CNN the report trained already. The gain of (c) over (a) is the paper's question: does
adding the synthetic images give a better classifier than the few real ones alone?
"""

from dataclasses import dataclass

from torch import Tensor

from gan_engine.quality.classifier import (
    ClassifierConfig,
    DomainClassifier,
    LabelledImages,
    train_classifier,
)

REAL, SYNTHETIC, BOTH = "real", "synthetic", "real+synthetic"


@dataclass(frozen=True)
class ClassificationScores:
    """A classifier trained on `training_set`, scored on the held-out real images."""

    training_set: str
    n_train: int
    n_test: int
    accuracy: float
    macro_f1: float
    per_class_recall: dict[str, float | None]  # None: the class has no held-out image

    def to_dict(self) -> dict:
        return {
            "training_set": self.training_set,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class_recall": dict(self.per_class_recall),
        }


def scores(
    training_set: str, n_train: int, truth: Tensor, predicted: Tensor, class_names: tuple[str, ...]
) -> ClassificationScores:
    """Accuracy, macro-F1 over the classes present in `truth`, and each class's recall."""
    recall: dict[str, float | None] = {}
    f1 = []
    for label, name in enumerate(class_names):
        actual, guessed = truth == label, predicted == label
        hits = (actual & guessed).sum().item()
        recall[name] = hits / actual.sum().item() if actual.any() else None
        if actual.any():
            f1.append(2 * hits / (actual.sum().item() + guessed.sum().item()))
    accuracy = (truth == predicted).double().mean().item()
    return ClassificationScores(
        training_set, n_train, len(truth), accuracy, sum(f1) / len(f1), recall
    )


@dataclass(frozen=True)
class UsefulnessReport:
    """Scores of (a) real, (b) synthetic and (c) real+synthetic training, in that order."""

    seed: int
    config: ClassifierConfig
    results: tuple[ClassificationScores, ...]

    def get(self, training_set: str) -> ClassificationScores:
        return next(r for r in self.results if r.training_set == training_set)

    @property
    def accuracy_gain(self) -> float:
        return self.get(BOTH).accuracy - self.get(REAL).accuracy

    @property
    def macro_f1_gain(self) -> float:
        return self.get(BOTH).macro_f1 - self.get(REAL).macro_f1

    def to_dict(self) -> dict:
        return {
            "seed": self.seed,
            "classifier": self.config.to_dict(),
            "results": [r.to_dict() for r in self.results],
            "accuracy_gain": self.accuracy_gain,
            "macro_f1_gain": self.macro_f1_gain,
        }


def usefulness_report(
    real_only: DomainClassifier,
    *,
    real_train: LabelledImages,
    synthetic: LabelledImages,
    held_out: LabelledImages,
    device: str = "cpu",
) -> UsefulnessReport:
    """Train (b) and (c) exactly as `real_only` (a) was trained, score all three."""

    def train(data: LabelledImages) -> DomainClassifier:
        return train_classifier(
            data, real_only.class_names, config=real_only.config, seed=real_only.seed, device=device
        )

    trained = {
        REAL: (real_only, len(real_train)),
        SYNTHETIC: (train(synthetic), len(synthetic)),
        BOTH: (train(real_train + synthetic), len(real_train) + len(synthetic)),
    }
    results = tuple(
        scores(
            name,
            n_train,
            held_out.labels,
            classifier.predict(held_out.images, device=device),
            real_only.class_names,
        )
        for name, (classifier, n_train) in trained.items()
    )
    return UsefulnessReport(real_only.seed, real_only.config, results)
