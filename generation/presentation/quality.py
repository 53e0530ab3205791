"""The quality report's JSON (gan_engine.quality.report) as the tables and lines people read.

The page, the comparison, the API and the ZIP's data card all show the same figures; they are
shaped here once, from the stored JSON, so that no door rewords or relabels them. Labels come
from the engine (gan_engine.metric_labels): a distance in the domain CNN's features is a
"Fréchet distance (domain-cnn-... features)", never FID. Nothing here needs torch.
"""

from django.urls import reverse
from django.utils.safestring import mark_safe

from datasets import selectors as catalogue
from gan_engine.metric_labels import metric_label
from generation.models import QualityReport
from generation.presentation.charts import bar_chart_svg

SUMMARY_FORMAT = "portal.quality-summary/1"
ALL_CLASSES = "All classes"
MANIFOLD_FIGURES = ("precision", "recall", "density", "coverage")
SPACE_FIELDS = ("space", "reference_percentile", "n_reference", "threshold", "memorized_share")


def _group(class_name: str | None) -> str:
    return class_name or ALL_CLASSES


def fidelity_tables(report: dict) -> list[dict]:
    """One table per feature extractor: a row per group (all classes, then each class) with
    the distances (FID/KID or their generic names) and precision/recall/density/coverage."""
    tables = []
    for fidelity in report.get("fidelity", []):
        names = list(dict.fromkeys(r["name"] for r in fidelity["distances"]))
        groups = [None, *report.get("class_names", [])]
        distances = {(r["name"], r["class_name"]): r for r in fidelity["distances"]}
        manifold = {r["class_name"]: r for r in fidelity["manifold"]}
        rows = [
            {
                "group": _group(group),
                "distances": [distances.get((name, group)) for name in names],
                "manifold": manifold.get(group),
            }
            for group in groups
        ]
        tables.append(
            {
                "extractor": fidelity["extractor"],
                "fid_comparable": fidelity["fid_comparable"],
                "available": fidelity["available"],
                "reason": fidelity["reason"],
                "labels": [
                    metric_label(name, fidelity["extractor"], fidelity["fid_comparable"])
                    for name in names
                ],
                "rows": rows,
                "figures": _figure_rows(names, fidelity, rows),
                "small_sample_notes": [
                    r["small_sample_reason"]
                    for r in fidelity["distances"]
                    if r["class_name"] is None and r.get("small_sample")
                ],
                "small_sample_classes": sorted(
                    {
                        r["class_name"]
                        for r in fidelity["distances"]
                        if r["class_name"] is not None and r.get("small_sample")
                    }
                ),
            }
        )
    return tables


def _figure_rows(names: list[str], fidelity: dict, rows: list[dict]) -> list[dict]:
    """The same table turned for the page: a row per figure, a column per group, so that the
    long extractor-named labels sit in row headers."""
    figures = [
        {
            "label": metric_label(name, fidelity["extractor"], fidelity["fid_comparable"]),
            "distances": [row["distances"][index] for row in rows],
        }
        for index, name in enumerate(names)
    ]
    figures += [
        {"label": name.capitalize(), "values": [_manifold_value(row, name) for row in rows]}
        for name in MANIFOLD_FIGURES
    ]
    return figures


def _manifold_value(row: dict, name: str) -> float | None:
    manifold = row["manifold"]
    return manifold[name] if manifold and manifold["available"] else None


def memorization_table(report: dict) -> dict:
    """The share of synthetic images closer to a real one than real images are to each other,
    per space (pixels, domain features), without the per-image distance lists."""
    memorization = report.get("memorization", {})
    return {
        "memorized_share": memorization.get("memorized_share"),
        "max_share": memorization.get("max_share"),
        "flagged": memorization.get("flagged", False),
        "n_real": memorization.get("n_real", 0),
        "n_synthetic": memorization.get("n_synthetic", 0),
        "spaces": [
            {key: space[key] for key in SPACE_FIELDS} for space in memorization.get("spaces", [])
        ],
    }


def usefulness_table(report: dict) -> dict:
    """Accuracy, macro-F1 and per-class recall of the classifiers trained on real, synthetic
    and real+synthetic images, and the gain of real+synthetic over real alone."""
    usefulness = report.get("usefulness", {})
    results = usefulness.get("results", [])
    classes = report.get("class_names", [])
    return {
        "results": results,
        # per_class_recall is a JSON object, whose key order PostgreSQL does not keep
        "rows": [
            {**r, "recalls": [r["per_class_recall"].get(name) for name in classes]} for r in results
        ],
        "training_sets": [r["training_set"] for r in results],
        "recall_rows": [
            {"class_name": name, "recalls": [r["per_class_recall"].get(name) for r in results]}
            for name in classes
        ],
        "accuracy_gain": usefulness.get("accuracy_gain"),
        "macro_f1_gain": usefulness.get("macro_f1_gain"),
        "n_test": results[0]["n_test"] if results else 0,
    }


def recall_chart_series(report: dict) -> tuple[list[str], dict[str, list[float | None]]]:
    """Per-class recall of each classifier: the classes, and one series per training set."""
    table = usefulness_table(report)
    classes = [row["class_name"] for row in table["recall_rows"]]
    series = {
        training_set: [row["recalls"][index] for row in table["recall_rows"]]
        for index, training_set in enumerate(table["training_sets"])
    }
    return classes, series


def quality_summary(report: QualityReport) -> dict:
    """The key figures of a finished report, JSON-safe, with the data card's lines already
    written: what the generation app stores in the version's `metrics["quality"]` for the
    catalogue (ZIP README, Croissant), which may not import this app."""
    data = report.report
    memorization = memorization_table(data)
    usefulness = usefulness_table(data)
    statements = {
        "sample": (
            f"Quality report {report.pk}, seed {report.seed}: {data['counts']['held_out']} "
            f"held-out and {data['counts']['real_train']} training real images, "
            f"{sum(data['counts']['synthetic'].values())} synthetic images."
        ),
        "fidelity": " ".join(_fidelity_line(table) for table in fidelity_tables(data)),
        "memorization": _memorization_line(memorization, report.memorization_threshold),
        "usefulness": _usefulness_line(usefulness),
    }
    lines = [f"- {statement}" for statement in statements.values()]
    return {
        "format": SUMMARY_FORMAT,
        "report": report.pk,
        "extractors": [f["extractor"] for f in data.get("fidelity", []) if f["available"]],
        "memorized_share": memorization["memorized_share"],
        "memorization_threshold": report.memorization_threshold,
        "flagged": memorization["flagged"],
        "usefulness": {
            r["training_set"]: {"accuracy": r["accuracy"], "macro_f1": r["macro_f1"]}
            for r in usefulness["results"]
        },
        "accuracy_gain": usefulness["accuracy_gain"],
        "macro_f1_gain": usefulness["macro_f1_gain"],
        "statements": statements,
        "lines": lines,
    }


def _fidelity_line(table: dict) -> str:
    if not table["available"]:
        return f"{table['extractor']} features: not computed ({table['reason']})."
    overall = table["rows"][0]
    parts = [
        _distance_text(label, result)
        for label, result in zip(table["labels"], overall["distances"], strict=True)
        if result is not None
    ]
    manifold = overall["manifold"]
    if manifold and manifold["available"]:
        parts.append(
            ", ".join(f"{name} {manifold[name]:.3f}" for name in MANIFOLD_FIGURES)
            + f" (k={manifold['k']}, {manifold['n_real']} real / {manifold['n_fake']} synthetic)"
        )
    return f"In {table['extractor']} features: " + "; ".join(parts) + "."


def _distance_text(label: str, result: dict) -> str:
    if not result["available"] or result["value"] is None:
        return f"{label} unavailable ({result['reason']})"
    spread = f" ± {result['std']:.4g}" if result["std"] is not None else ""
    subset = result.get("params", {}).get("subset_size")
    sizes = f"{result['n_real']} real / {result['n_fake']} synthetic"
    small = f"; small sample: {result['small_sample_reason']}" if result.get("small_sample") else ""
    return (
        f"{label} {result['value']:.4g}{spread} ({sizes}"
        + (f", subsets of {subset}" if subset else "")
        + f"{small})"
    )


def _memorization_line(memorization: dict, threshold: float) -> str:
    spaces = ", ".join(
        f"{s['memorized_share']:.1%} in {s['space']}" for s in memorization["spaces"]
    )
    percentile = memorization["spaces"][0]["reference_percentile"] if spaces else 1.0
    verdict = "above" if memorization["flagged"] else "within"
    return (
        f"Memorization: {memorization['memorized_share']:.1%} of the synthetic images are "
        f"as close to a real image as the closest {percentile:g}% of real-to-real "
        f"nearest-neighbour distances ({spaces}); {verdict} the limit of {threshold:.1%}."
    )


def _usefulness_line(usefulness: dict) -> str:
    scores = "; ".join(
        f"{r['training_set']}: accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}"
        for r in usefulness["results"]
    )
    return (
        f"Usefulness (the same classifier trained on each set, tested on "
        f"{usefulness['n_test']} held-out real images): {scores}; gain of real+synthetic over "
        f"real: accuracy {usefulness['accuracy_gain']:+.3f}, "
        f"macro-F1 {usefulness['macro_f1_gain']:+.3f}."
    )


def closest_pairs(report: QualityReport, *, user) -> list[dict]:
    """The closest synthetic/real pairs (ImageRecord ids, as the report task stores them) with
    their thumbnails' URLs, None for images `user` may not see: a synthetic set may be shared
    more widely than the real images it came from."""
    allowed = {
        "synthetic": catalogue.can_view_files(user=user, dataset=report.version.dataset),
        "real": catalogue.can_view_files(user=user, dataset=report.source_version.dataset),
    }
    return [
        {
            **pair,
            **{
                f"{side}_thumbnail": (
                    reverse("datasets:image-thumbnail", args=[pair[f"{side}_image"]])
                    if allowed[side]
                    else None
                )
                for side in allowed
            },
        }
        for pair in report.closest_pairs
    ]


def report_tables(report: QualityReport) -> dict:
    """Everything the page and the comparison show of a finished report, besides its pairs."""
    data = report.report
    classes, series = recall_chart_series(data)
    chart = bar_chart_svg("Recall per class on held-out real images", classes, series)
    return {
        "report": report,
        "fidelity": fidelity_tables(data),
        "memorization": memorization_table(data),
        "usefulness": usefulness_table(data),
        "counts": data.get("counts", {}),
        "chart": mark_safe(chart),  # bar_chart_svg escapes every text it writes
    }


def comparison_rows(reports: list[QualityReport]) -> list[dict]:
    """The overall figures of several reports as rows of a table with a column per report:
    `{"label": ..., "values": [text or None per report]}`; a figure one report lacks is None."""
    rows: dict[str, list[str | None]] = {}

    def put(label: str, index: int, text: str | None) -> None:
        rows.setdefault(label, [None] * len(reports))[index] = text

    for index, report in enumerate(reports):
        data = report.report
        put("Synthetic images", index, str(sum(data["counts"]["synthetic"].values())))
        for table in fidelity_tables(data):
            if not table["available"]:
                continue
            overall = table["rows"][0]
            for label, result in zip(table["labels"], overall["distances"], strict=True):
                if result is not None and result["value"] is not None:
                    spread = f" ± {result['std']:.3g}" if result["std"] is not None else ""
                    small = (
                        f" (small sample: {result['n_real']} real / {result['n_fake']} synthetic)"
                        if result.get("small_sample")
                        else ""
                    )
                    put(label, index, f"{result['value']:.4g}{spread}{small}")
            manifold = overall["manifold"]
            if manifold and manifold["available"]:
                for name in MANIFOLD_FIGURES:
                    put(
                        f"{name.capitalize()} ({table['extractor']})",
                        index,
                        f"{manifold[name]:.3f}",
                    )
        memorization = memorization_table(data)
        put("Memorized share", index, f"{memorization['memorized_share']:.1%}")
        put("Memorization limit", index, f"{memorization['max_share']:.1%}")
        put("Flagged", index, "yes" if memorization["flagged"] else "no")
        usefulness = usefulness_table(data)
        for result in usefulness["results"]:
            name = result["training_set"]
            put(f"Accuracy, trained on {name}", index, f"{result['accuracy']:.3f}")
            put(f"Macro-F1, trained on {name}", index, f"{result['macro_f1']:.3f}")
        put("Accuracy gain of real+synthetic", index, f"{usefulness['accuracy_gain']:+.3f}")
        put("Macro-F1 gain of real+synthetic", index, f"{usefulness['macro_f1_gain']:+.3f}")
    return [{"label": label, "values": values} for label, values in rows.items()]
