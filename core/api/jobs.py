"""Background jobs: their status and progress (the starter's own, or all for directors)."""

from rest_framework import serializers

from core.api import router
from core.api.viewsets import TenantReadOnlyViewSet
from core.models import Job


class JobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    title = serializers.CharField(read_only=True)
    created_by = serializers.StringRelatedField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "status_display",
            "progress",
            "message",
            "params",
            "input_name",
            "result",
            "error",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_result(self, obj) -> dict:
        """The outcome without storage paths: a file is reached through its checked ``url``."""
        return {key: value for key, value in (obj.result or {}).items() if key != "path"}


class JobViewSet(TenantReadOnlyViewSet):
    """Status, progress (0–100) and outcome of background jobs."""

    queryset = Job.objects.select_related("created_by")
    serializer_class = JobSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["created_at"]


router.register("jobs", JobViewSet, basename="job")
