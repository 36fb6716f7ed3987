"""Model output is untrusted: render its markdown, highlight code, then sanitise the HTML."""

from __future__ import annotations

import hashlib
from functools import cache

import nh3
from django.core.cache import cache as django_cache
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


def render_responses(responses: list[tuple[int, str]]) -> list[SafeString]:
    """Each (id, text) rendered once per text, then served from the cache: one cache round trip
    to read them all and, for those not yet rendered, one to store them."""
    keys = [_cache_key(response_id, text) for response_id, text in responses]
    cached = django_cache.get_many(keys)
    fresh = {
        key: str(render_untrusted(text))
        for key, (_id, text) in zip(keys, responses, strict=True)
        if key not in cached
    }
    if fresh:
        django_cache.set_many(fresh, timeout=24 * 3600)
    # Stored only after sanitising.
    return [mark_safe(cached[key] if key in cached else fresh[key]) for key in keys]  # noqa: S308


def _cache_key(response_id: int, text: str) -> str:
    digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    return f"response-html:{response_id}:{digest}"
