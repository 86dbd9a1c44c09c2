"""OpenAPI schema helpers (drf-spectacular)."""

from drf_spectacular.openapi import AutoSchema


class SingleObjectSchema(AutoSchema):
    """For a viewset whose ``list`` answers one object (a report body such as retention or
    compliance), not an array of records: the schema must say so."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)
