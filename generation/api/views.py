"""Endpoints of models, training runs (with their metric points) and generation jobs. Starting
and cancelling go through generation.services, so the API queues exactly what the pages and
`manage.py train|generate` queue; who may see and do what is asked of generation.selectors."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from datasets import selectors as catalogue
from generation import selectors, services
from generation.api.serializers import (
    GanModelDetailSerializer,
    GanModelSerializer,
    GenerateSerializer,
    GenerationJobSerializer,
    MetricPointSerializer,
    QualityReportSerializer,
    TrainingRunCreateSerializer,
    TrainingRunSerializer,
)
from portal.api.links import route_url
from portal.api.pagination import CheckedCursorPages, Pages


class MetricPages(CheckedCursorPages):
    """A run's history in iteration order; long runs have thousands of points."""

    ordering = "iteration"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def accepted(view, task, serializer_class, route: str) -> Response:
    """202 Accepted: the work is queued; Location is where to follow it."""
    data = serializer_class(task, context=view.get_serializer_context()).data
    location = route_url(view.request, route, task.pk)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema(tags=["models"])
@extend_schema_view(
    list=extend_schema(
        summary="Trained models",
        description="Models whose source dataset you may see, newest first, with their final "
        "metrics.",
    )
)
class GanModelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GanModelSerializer
    pagination_class = Pages
    throttle_scope = None  # `jobs` for the generate action

    def get_queryset(self):
        models = selectors.models_visible_to(user=self.request.user)
        return models.select_related("source_version__license").order_by("-created_at", "-pk")

    @extend_schema(
        summary="A model with its metrics and lineage",
        description="The run that trained it, the version it learned from, and the synthetic "
        "versions it made that you may see.",
        responses=GanModelDetailSerializer,
    )
    def retrieve(self, request, *args, **kwargs):
        model = self.get_object()
        generated = selectors.results_of(user=request.user, model=model)
        context = {**self.get_serializer_context(), "generated_versions": generated}
        return Response(GanModelDetailSerializer(model, context=context).data)

    @extend_schema(
        summary="Generate images with the model",
        description="Queues a generation job: `count_per_class` images for each class (all "
        "the model's classes by default) with reproducible seeds. The images become a new "
        "synthetic dataset, a private draft of yours. Follow the job at the Location URL. "
        "Needs access to the files the model learned from.",
        request=GenerateSerializer,
        responses={202: GenerationJobSerializer},
        examples=[
            OpenApiExample(
                "100 images of two classes",
                request_only=True,
                value={"count_per_class": 100, "classes": ["G1", "G3"], "seed": 7},
            )
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        throttle_scope="jobs",
    )
    def generate(self, request, *args, **kwargs):
        model = self.get_object()
        wanted = GenerateSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        job = services.start_generation(
            model=model,
            count_per_class=wanted.validated_data["count_per_class"],
            classes=wanted.validated_data.get("classes"),
            seed=wanted.validated_data.get("seed"),
            user=request.user,
        )
        return accepted(self, job, GenerationJobSerializer, "api:generation-job-detail")


@extend_schema(tags=["training runs"])
@extend_schema_view(
    list=extend_schema(
        summary="Training runs",
        description="Runs on datasets you may see, newest first.",
    ),
    retrieve=extend_schema(
        summary="A training run with its progress",
        description="State, progress (iterations done of total, rate, time left), the "
        "resolved configuration, the log's tail, and the model once it succeeded.",
    ),
)
class TrainingRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TrainingRunSerializer
    pagination_class = Pages

    def get_queryset(self):
        runs = selectors.runs_visible_to(user=self.request.user)
        return runs.select_related("source_version__license").order_by("-created_at", "-pk")

    @extend_schema(
        summary="Train a model on a dataset version",
        description="Queues a training run of the preset (with overrides) on a version you "
        "curate (owner, collaborator or staff). Follow it at the Location URL.",
        request=TrainingRunCreateSerializer,
        responses={202: TrainingRunSerializer},
        examples=[
            OpenApiExample(
                "A small model",
                request_only=True,
                value={"source_version": 1, "preset": "small", "overrides": {"iterations": 600}},
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        wanted = TrainingRunCreateSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        pk = data["source_version"]
        version = catalogue.readable_versions(user=request.user).filter(pk=pk).first()
        if version is None:
            raise NotFound("No such dataset version.")
        run = services.start_training(
            source_version=version,
            preset=data["preset"],
            overrides=data["overrides"],
            user=request.user,
        )
        return accepted(self, run, TrainingRunSerializer, "api:training-run-detail")

    @extend_schema(
        summary="Cancel a training run",
        description="A queued run stops at once; a running one within a few seconds.",
        request=None,
        responses=TrainingRunSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def cancel(self, request, *args, **kwargs):
        run = self.get_object()
        return Response(self.get_serializer(services.cancel(task=run, user=request.user)).data)

    @extend_schema(
        summary="The run's metric points",
        description="Losses at logged iterations, and FID/KID/IS (labelled by their feature "
        "extractor) where the run evaluated, in iteration order.",
        responses=MetricPointSerializer(many=True),
    )
    @action(detail=True, pagination_class=MetricPages, serializer_class=MetricPointSerializer)
    def metrics(self, request, *args, **kwargs):
        run = self.get_object()
        page = self.paginate_queryset(run.metric_points.all())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["generation jobs"])
@extend_schema_view(
    list=extend_schema(
        summary="Generation jobs",
        description="Jobs of models whose source dataset you may see, newest first.",
    ),
    retrieve=extend_schema(
        summary="A generation job with its progress",
        description="State and progress (images done of total, rate, time left); once it "
        "succeeded, the synthetic version it made, if you may see it.",
    ),
)
class GenerationJobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GenerationJobSerializer
    pagination_class = Pages

    def get_queryset(self):
        """Jobs with whether the user may read their result (a new synthetic dataset is
        private to whoever generated it), asked in the same query."""
        jobs = selectors.jobs_visible_to(user=self.request.user)
        return jobs.select_related("result_version__license").order_by("-created_at", "-pk")

    @extend_schema(
        summary="Cancel a generation job",
        description="A queued job stops at once; a running one after its current chunk.",
        request=None,
        responses=GenerationJobSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def cancel(self, request, *args, **kwargs):
        job = self.get_object()
        return Response(self.get_serializer(services.cancel(task=job, user=request.user)).data)


@extend_schema(tags=["quality reports"])
class VersionQualityViewSet(viewsets.GenericViewSet):
    """`versions/<id>/quality/`: routed by the generation app, because the catalogue's
    VersionViewSet may not import it."""

    serializer_class = QualityReportSerializer
    pagination_class = None

    @extend_schema(
        summary="The quality report of a synthetic version",
        description="The newest quality report of the version: its state and progress while "
        "it runs; once done, fidelity and diversity per feature extractor, memorization (the "
        "share of synthetic images as close to a real one as real images are to each other), "
        "usefulness for training a classifier, the closest synthetic/real pairs with their "
        "thumbnails, and the publication hold with the curator's override. 404 for a version "
        "you may not see, or one without a report.",
        parameters=[
            OpenApiParameter(
                "id", int, OpenApiParameter.PATH, description="Id of the synthetic version."
            )
        ],
        responses={
            200: QualityReportSerializer,
            404: OpenApiResponse(description="No such version, or no report of it yet."),
        },
    )
    def list(self, request, *args, **kwargs):
        versions = catalogue.readable_versions(user=request.user)
        version = versions.filter(pk=kwargs["id"]).first()
        if version is None:
            raise NotFound("No such dataset version.")
        report = selectors.latest_quality_report(version=version, user=request.user)
        if report is None:
            raise NotFound(f"{version.identifier} has no quality report yet.")
        return Response(self.get_serializer(report).data)
