"""Model output is untrusted: render its markdown, highlight code, then sanitise the HTML."""

from __future__ import annotations

import hashlib
from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "span", "div", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tr", "th", "td", "a", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"span": {"class"}, "div": {"class"}, "a": {"href", "title"}, "ol": {"start"}}
FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return highlight(code, lexer, FORMATTER)


@cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the text is shown as text, never passed through.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "highlight": _highlight})
    return md.enable("table").enable("strikethrough")


def render_untrusted(text: str) -> SafeString:
    html = _markdown().render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)


# Bump when the renderer or the sanitiser's settings change: every stored rendering goes stale.
RENDERER = "1"


def html_key(text: str) -> str:
    """Which text, rendered by which renderer, a stored rendering was made from."""
    return f"{RENDERER}:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"
