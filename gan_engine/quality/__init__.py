"""Quality report of a synthetic dataset: fidelity, diversity, memorization and usefulness.

    report = quality_report(real_images, real_labels, synthetic_images, synthetic_labels,
                            class_names, seed=0, split=stored_split_or_None)
    report.to_dict()             # JSON-safe, the same for the same inputs and seed
    report.split.to_dict()       # store it: pass RealSplit.from_dict(...) back next time
    report.domain_classifier.save(path)  # pass DomainClassifier.load(path) back with the split

Modules: split (train / held-out), classifier (the domain CNN), domain_extractor (its texture
statistics as a named feature network), manifold (precision, recall, density, coverage),
memorization (nearest real images), usefulness (train on synthetic, test on real), report.
"""

from gan_engine.quality.classifier import ClassifierConfig, DomainClassifier
from gan_engine.quality.report import PHASES, QualityReport, quality_report
from gan_engine.quality.split import RealSplit, split_real

__all__ = [
    "PHASES",
    "ClassifierConfig",
    "DomainClassifier",
    "QualityReport",
    "RealSplit",
    "quality_report",
    "split_real",
]
