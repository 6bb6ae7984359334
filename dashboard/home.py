"""The family's home page (/admin/): what needs a parent first, then each member's day.

The admin site (tonnysite) knows no app; the dashboard registers this with it in ready().
"""

from dashboard.ranges import today_query
from dashboard.selectors import home_figures
from tonnysite.familyadmin.scoping import viewer_of


def home_context(request) -> dict:
    """The home page's figures for the signed-in member (nothing for a login without a role)."""
    if viewer_of(request).role is None:
        return {}
    return {"home": home_figures(query=today_query(request))}
