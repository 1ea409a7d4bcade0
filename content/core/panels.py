"""What plugins put in the menu and on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """A main-menu entry: a translated label and the endpoint it opens."""

    label: Any
    endpoint: str
    order: int = 100


@dataclass(frozen=True)
class PanelLink:
    """A link inside a dashboard panel."""

    label: Any
    endpoint: str


@dataclass(frozen=True)
class DashboardPanel:
    """A dashboard block: what one of the user's roles lets them do."""

    title: Any
    items: list[Any] = field(default_factory=list)
    links: list[PanelLink] = field(default_factory=list)
    order: int = 100
