from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    verbose_name = "GAN training and generation"

    def ready(self) -> None:
        """Fill the catalogue's version page: the model and runs behind a version (and the
        form that trains one), then its quality report. The catalogue renders what is
        registered and knows nothing of this app."""
        from datasets import panels
        from generation import follow_ups  # noqa: F401  (connects the receivers)

        panels.register_panel(panels.LINEAGE, "generation/_version_lineage.html")
        panels.register_panel(panels.AFTER_LINEAGE, "generation/_quality_report.html")
