"""Pages whose content is a Jinja2 template, inside the site's layout.

The pages of the monthly filing deadline (the filing form, the filing board) are read thousands of times in
minutes; Django's template language spent more of each request than their queries, the middleware or the
server (a node, a variable lookup, a filter are each several Python calls). Their content is a Jinja2
template — compiled to Python once, the same markup, the same translations — and the layout stays
`base.html` with its context processors, through `page.html`. The filters and functions below are
Django's own, so a value reads the same in either language: a date or a time in the current language's
format and the current time zone (`show`, `date`), a URL (`url`), a translation (`_`).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import defaultfilters, engines
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.urls import reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment
from markupsafe import Markup

from chanye.core.templatetags.chanye import add_class


def show(value):
    """A value as Django's templates show `{{ value }}`: a time in the current time zone, a date, time or
    number in the current language's format."""
    return formats.localize(timezone.template_localtime(value))  # type: ignore[attr-defined]


def date(value, format_string=None):
    """Django's `date` filter, with a time first moved to the current time zone (as Django's templates do)."""
    return defaultfilters.date(timezone.template_localtime(value), format_string)  # type: ignore[attr-defined]


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    """The Jinja2 environment of the `jinja2` template engine (settings.TEMPLATES)."""
    # Escaped as in Django's templates (the engine passes autoescape=True; a page never turns it off)
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=options.pop("autoescape", True), **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["url"] = url
    env.filters.update(show=show, date=date, floatformat=defaultfilters.floatformat, add_class=add_class)
    return env


def render_page(request, template_name: str, context: dict, *, status: int = 200) -> HttpResponse:
    """Render the `title` and `content` blocks of a Jinja2 template into the layout (`page.html`, which
    extends base.html). The context reaches both, so a test reads `response.context` as for any page."""
    template = engines["jinja2"].get_template(template_name).template  # type: ignore[attr-defined]
    jinja_context = template.new_context(
        {
            **context,
            "request": request,
            "user": request.user,
            "csrf_input": csrf_input_lazy(request),
            "csrf_token": csrf_token_lazy(request),
        }
    )
    # What the blocks yield is escaped by the environment already: marked safe for the layout, not again
    title = Markup("".join(template.blocks["title"](jinja_context)))  # noqa: S704
    content = Markup("".join(template.blocks["content"](jinja_context)))  # noqa: S704
    return render(
        request, "page.html", {**context, "page_title": title, "page_content": content}, status=status
    )
