"""Panels other modules add to the enterprise 360 page (projects, policies, cases …).

A module registers a panel in its AppConfig.ready():

    from chanye.enterprises.panels import register
    register("projects", title="重点项目", template="projects/_enterprise_panel.html",
             context=lambda user, enterprise: {"projects": ...}, order=10)

The page renders each panel the user's role may see, in order, with the context its function returns.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    permission: str = "enterprises.view"
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(
    key: str, *, title: str, template: str, context, permission: str = "enterprises.view", order: int = 100
):
    _PANELS[key] = Panel(key, title, template, context, permission, order)


def panels_for(user, enterprise) -> list[dict[str, Any]]:
    """The registered panels this user may see, each with its title, template and context."""
    out = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if user.can(panel.permission):
            out.append(
                {
                    "key": panel.key,
                    "title": panel.title,
                    "template": panel.template,
                    **{"context": panel.context(user, enterprise)},
                }
            )
    return out
