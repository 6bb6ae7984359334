"""The admin site: only roles with admin access get in, and every ModelAdmin is row-scoped."""

from django.contrib import admin
from django.db import models
from django.db.models.base import ModelBase
from django.urls import path

from tonnysite.clock import zone_name
from tonnysite.familyadmin.members import member_directory
from tonnysite.familyadmin.scoping import FamilyModelAdmin, viewer_of


class FamilyAdminSite(admin.AdminSite):
    site_header = "TonnyTray Family Admin"
    site_title = "TonnyTray"
    index_title = "Family, activity and system"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list = []
        self._home_providers: list = []

    def pages_register(self, *patterns) -> None:
        """Pages of an app under /admin/ (in the `admin` namespace, behind the site's sign-in):
        `path()`s whose views the site wraps with `admin_view`. Called from an app's ready()."""
        self._pages.extend(patterns)

    def home_register(self, provider) -> None:
        """`provider(request) -> dict`: context for the home page (/admin/), from an app's ready()."""
        self._home_providers.append(provider)

    def index(self, request, extra_context=None):
        home = {}
        for provider in self._home_providers:
            home.update(provider(request))
        return super().index(request, {**home, **(extra_context or {})})

    def get_urls(self):
        pages = [
            path(str(page.pattern), self.admin_view(page.callback), page.default_args, name=page.name)
            for page in self._pages
        ]
        return [*pages, *super().get_urls()]

    def has_permission(self, request):
        """Let in active staff logins whose role has admin access (never a guest)."""
        user = request.user
        return bool(
            user.is_active and user.is_staff and member_directory().role_has_admin_access(viewer_of(request).role)
        )

    def each_context(self, request):
        """Name the family's time zone on every page: all times and days shown are in it. Say whether the
        viewer is a family admin, who alone sees the System health page."""
        user = getattr(request, "user", None)  # an error page may come before authentication
        signed_in = user is not None and user.is_authenticated
        return {
            **super().each_context(request),
            "family_zone": zone_name(),
            "sees_system_health": signed_in and viewer_of(request).sees_every_profile,
        }

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register with row scoping: a ModelAdmin that lacks it (auth, axes) gets it mixed in."""
        admin_class = admin_class or FamilyModelAdmin
        if issubclass(admin_class, FamilyModelAdmin):
            return super().register(model_or_iterable, admin_class, **options)
        models_ = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models_:
            super().register(model, _family_admin_for(model, admin_class), **options)
        return None


def _family_admin_for(model, admin_class):
    """`admin_class` with row scoping (family admins only) and without the filters that scan a table."""
    return type(
        f"Family{admin_class.__name__}",
        (FamilyModelAdmin, admin_class),
        {
            "__module__": admin_class.__module__,
            "owner_field": None,
            "date_hierarchy": None,
            "list_filter": tuple(f for f in admin_class.list_filter if _filter_is_cheap(model, f)),
        },
    )


def _filter_is_cheap(model, list_filter) -> bool:
    # A plain field name without choices becomes a SELECT DISTINCT over the whole table.
    if not isinstance(list_filter, str) or "__" in list_filter:
        return True
    field = model._meta.get_field(list_filter)
    return bool(field.choices) or isinstance(field, (models.BooleanField, models.DateField))
