"""What every page's layout needs: the main menu and the staff link.

Views that gather several apps pass their own ``nav``; a view's context wins
over a context processor's, so these are the defaults for the other pages
(selection, for instance), computed only when a template reads them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from solidaire.applications.access import roles_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from solidaire.views import nav_for  # the project's views sit above every app

    return {
        "nav": SimpleLazyObject(lambda: nav_for(roles_for(user))),
        "is_staff": user.is_staff,
    }
