"""Template source rules the template engine does not enforce."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "dangjian").rglob("templates/**/*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_comment_spans_lines(path):
    # Django's {# #} comment is one line only: one spread over lines is printed on the page as text.
    unclosed = [n for n, line in enumerate(path.read_text().splitlines(), 1) if "{#" in line and "#}" not in line]
    assert unclosed == [], "use {% comment %} for a comment over several lines"


def test_the_rule_sees_a_comment_over_two_lines(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("{# one\n two #}\n")
    with pytest.raises(AssertionError):
        test_no_comment_spans_lines(page)


TITLE_BLOCK = re.compile(r"{% block title %}(.*?){% endblock", re.S)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_a_title_block_holds_text_only(path):
    # A page's <title> is text: markup in it shows as tags in the tab (an edit once pasted a form there).
    for title in TITLE_BLOCK.findall(path.read_text()):
        assert "<" not in title, title


def test_the_rule_sees_markup_in_a_title(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("{% block title %}经费    <h2>基数</h2>\n<form></form>{% endblock %}\n")
    with pytest.raises(AssertionError):
        test_a_title_block_holds_text_only(page)
