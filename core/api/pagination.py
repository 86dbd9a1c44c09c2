from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-numbered lists; ``?page_size=`` up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500


class KeysetPagination(pagination.CursorPagination):
    """Cursor (keyset) pagination for lists too long to count, such as a million ledger rows.

    Pages are ``WHERE id < <last seen> ORDER BY id DESC LIMIT n + 1``: the same cost on page 1
    and page 20,000, and no ``COUNT(*)``. The response has ``next``/``previous`` links with an
    opaque ``?cursor=`` and no ``count``. Newest first by default; a client's ``?ordering=``
    (the view's ``OrderingFilter``) still applies, with ``id`` added as the tie-breaker so every
    row has one place in the order. ``?page_size=`` up to 500.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = super().get_ordering(request, queryset, view)
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            ordering = (*ordering, "-id" if ordering[0].startswith("-") else "id")
        return ordering
