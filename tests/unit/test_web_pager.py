"""The list pages' shared pager: links to the neighbouring pages, nothing on a single page."""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parents[2] / "server" / "web" / "templates"


class _Url:
    def include_query_params(self, **params: int) -> str:
        return f"/ui/cases?page={params['page']}"


class _Request:
    url = _Url()


def render(page: int, pages: int) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    template = env.from_string(
        '{% from "_macros.html" import pager %}{{ pager(t, request, page, pages) }}'
    )
    return template.render(t=lambda key: key, request=_Request(), page=page, pages=pages)


def test_middle_page_links_both_ways() -> None:
    html = render(2, 3)
    assert 'href="/ui/cases?page=1"' in html and 'href="/ui/cases?page=3"' in html
    assert "2 / 3" in html


def test_first_and_last_pages_link_one_way() -> None:
    assert "page=0" not in render(1, 3) and 'href="/ui/cases?page=2"' in render(1, 3)
    assert "page=4" not in render(3, 3) and 'href="/ui/cases?page=2"' in render(3, 3)


def test_a_single_page_has_no_pager() -> None:
    assert "pager" not in render(1, 1)
