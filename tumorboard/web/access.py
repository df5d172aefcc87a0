"""Who may use which route.

Views declare their audience with `@public`, `@signed_in` or `@allow(*roles)`;
`enforce_access` (a before-request hook) checks it for every request. A view
that declares nothing is refused to everyone, so a forgotten decorator fails
closed instead of open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from tumorboard.extensions import login_manager
from tumorboard.vocab import Role

View = TypeVar("View", bound=Callable[..., object])

PUBLIC = "public"
SIGNED_IN = "signed_in"


def public(view: View) -> View:
    """Anyone, signed in or not, may use this view."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    """Any signed-in user may use this view."""
    view.access = SIGNED_IN  # type: ignore[attr-defined]
    return view


def allow(*roles: Role) -> Callable[[View], View]:
    """Only signed-in users holding one of `roles` may use this view."""

    def mark(view: View) -> View:
        view.access = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def access_of(endpoint: str | None) -> str | frozenset[Role] | None:
    """The declared audience of an endpoint (None when it declared none)."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def may_use(endpoint: str) -> bool:
    """Whether the current user may use `endpoint`: what `enforce_access` checks, for a page deciding whether to link
    to it (a link the reader cannot follow is a 403 waiting to happen)."""
    access = access_of(endpoint)
    if access == PUBLIC:
        return True
    if not current_user.is_authenticated:
        return False
    return access == SIGNED_IN or (isinstance(access, frozenset) and current_user.has_role(*access))


def enforce_access() -> object | None:
    """Before-request hook: send anonymous users to login and refuse wrong roles with 403."""
    if request.endpoint is None:  # no such route: let routing answer 404
        return None
    if may_use(request.endpoint):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    abort(403)


def audience_label(access: str | frozenset[Role] | None) -> str:
    """Who may use a route, in words."""
    if access == PUBLIC:
        return "anyone"
    if access == SIGNED_IN:
        return "any signed-in user"
    if isinstance(access, frozenset):
        return ", ".join(role.value for role in Role if role in access)
    return "nobody (undeclared)"


def access_table() -> list[tuple[str, str, str]]:
    """Every route of the current app: (methods, path, who may use it), sorted by path (static files left out)."""
    rows = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        methods = ", ".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        rows.append((methods, rule.rule, audience_label(access_of(rule.endpoint))))
    return sorted(rows, key=lambda row: (row[1], row[0]))


def access_markdown() -> str:
    """The route table as docs/security.md keeps it."""
    lines = ["| method | route | who may use it |", "|---|---|---|"]
    lines += [f"| {methods} | `{path}` | {who} |" for methods, path, who in access_table()]
    return "\n".join(lines) + "\n"
