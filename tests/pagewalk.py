"""Walking a list page by its own links (page 1 → next → previous) and the queries that draw it."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext

_LINK = r'href="\?([^"]*)" rel="{rel}"'


def link(page_html: str, rel: str) -> str | None:
    """The query string of the page's ``rel="next"`` / ``rel="prev"`` link, unescaped."""
    found = re.search(_LINK.format(rel=rel), page_html)
    return html_lib.unescape(found.group(1)) if found else None


def ids(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


@dataclass
class Walk:
    first: list[int]
    second: list[int]
    back: list[int]
    next_query: str
    previous_query: str
    second_html: str
    queries: list[str] = field(default_factory=list)

    def counting(self, table: str) -> list[str]:
        """The SQL of every query that counts rows of ``table`` (``COUNT(`` over it)."""
        return [sql for sql in self.queries if "COUNT(" in sql.upper() and f'"{table}"' in sql]


def walk(client, path: str, query: str = "") -> Walk:
    """Page 1 of ``path?query``, the page its "next" link opens, and the page that one's "previous"
    link opens, as primary keys; with the SQL of drawing all three (after one warming request, so
    the per-user caches of the menu do not count)."""
    url = f"{path}?{query}" if query else path
    assert client.get(url).status_code == 200  # warm the session and the menu's cached counts
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url)
        assert first.status_code == 200
        next_query = link(first.content.decode(), "next")
        assert next_query, "page 1 has no next link"
        second = client.get(f"{path}?{next_query}")
        assert second.status_code == 200
        second_html = second.content.decode()
        previous_query = link(second_html, "prev")
        assert previous_query, "page 2 has no previous link"
        back = client.get(f"{path}?{previous_query}")
        assert back.status_code == 200
    return Walk(
        first=ids(first),
        second=ids(second),
        back=ids(back),
        next_query=next_query,
        previous_query=previous_query,
        second_html=second_html,
        queries=[q["sql"] for q in captured.captured_queries],
    )


def walk_all(client, path: str, query: str = "") -> list[int]:
    """Every row of the list in page order, following the "next" links to the end."""
    out: list[int] = []
    url = f"{path}?{query}" if query else path
    for _ in range(1000):
        response = client.get(url)
        assert response.status_code == 200
        out += ids(response)
        next_query = link(response.content.decode(), "next")
        if not next_query:
            return out
        url = f"{path}?{next_query}"
    raise AssertionError("the next links never end")
