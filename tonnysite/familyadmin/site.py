"""The admin site: only roles with admin access get in, and every ModelAdmin is row-scoped."""

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models.base import ModelBase
from django.urls import path, reverse
from django.utils.text import capfirst, slugify

from tonnysite.clock import zone_name
from tonnysite.familyadmin.display import words_display
from tonnysite.familyadmin.members import member_directory
from tonnysite.familyadmin.scoping import FamilyModelAdmin, viewer_of

# The index and the sidebar: the sections a parent uses, in this order, then everything technical under one
# "System". A ModelAdmin names its section in `index_section`; one that does not (Django's logins and groups,
# django-axes' sign-in records, and any table nobody placed) lands in "System".
SECTIONS = ("Family", "Activity", "Quick actions", "Parental controls", "Settings", "Change history", "System")
SYSTEM = "System"
# Tables of Django's and django-axes' apps, named in the family's words (their models are not ours to rename).
TABLE_NAMES = {
    "auth.user": "Logins",
    "auth.group": "Role groups",
    "axes.accessattempt": "Sign-in attempts",
    "axes.accessfailurelog": "Failed sign-ins",
    "axes.accesslog": "Sign-ins and sign-outs",
}
# Their list columns, in the same words: (column, heading). Django's would say "IP Address", "Staff status".
TABLE_COLUMNS = {
    "auth.user": (("username", "login"), ("is_active", "can sign in"), ("last_login", "last sign-in")),
    "axes.accessattempt": (
        ("attempt_time", "when"), ("username", "login typed"), ("failures_since_start", "failed tries"),
        ("ip_address", "from (IP address)"), ("user_agent", "browser"), ("path_info", "page"),
    ),
    "axes.accessfailurelog": (
        ("attempt_time", "when"), ("username", "login typed"), ("locked_out", "locked out"),
        ("ip_address", "from (IP address)"), ("user_agent", "browser"), ("path_info", "page"),
    ),
    "axes.accesslog": (
        ("attempt_time", "signed in"), ("logout_time", "signed out"), ("username", "login"),
        ("ip_address", "from (IP address)"), ("user_agent", "browser"), ("path_info", "page"),
    ),
}  # fmt: skip


class FamilyAdminSite(admin.AdminSite):
    site_header = "TonnyTray Family Admin"
    site_title = "TonnyTray"
    index_title = "Family, activity and system"
    site_url = None  # no "View site": the family admin is the whole site

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list = []
        self._home_providers: list = []
        self._index_links: list = []
        self._sections_cache: dict = {}

    def pages_register(self, *patterns) -> None:
        """Pages of an app under /admin/ (in the `admin` namespace, behind the site's sign-in):
        `path()`s whose views the site wraps with `admin_view`. Called from an app's ready()."""
        self._pages.extend(patterns)

    def home_register(self, provider) -> None:
        """`provider(request) -> dict`: context for the home page (/admin/), from an app's ready()."""
        self._home_providers.append(provider)

    def index_link_register(self, *, section: str, name: str, url_name: str, shown_to) -> None:
        """A page of an app listed under `section` on the index and in the sidebar, for viewers for whom
        `shown_to(request)` is true (the page itself still checks). Called from an app's ready()."""
        if section not in SECTIONS:
            raise ValueError(f"No section {section!r} on the index; the sections are {', '.join(SECTIONS)}.")
        self._index_links.append((section, name, url_name, shown_to))

    def get_app_list(self, request, app_label=None):
        """The index's and the sidebar's sections in the family's words (SECTIONS); an app's own page
        (/admin/<app>/) keeps Django's list of that app, with the same table names."""
        if app_label is not None:
            app_list = super().get_app_list(request, app_label)
            for app in app_list:
                for entry in app["models"]:
                    entry["name"] = _table_name(entry)
            return app_list
        sections = {name: list(entries) for name, entries in self._tables_by_section(request).items()}
        for section, name, url_name, shown_to in self._index_links:
            if shown_to(request):
                url = reverse(f"{self.name}:{url_name}", current_app=self.name)
                sections[section].append(
                    {
                        "model": None,
                        "name": name,
                        "object_name": url_name,
                        "perms": {"view": True},
                        "admin_url": url,
                        "add_url": None,
                        "view_only": True,
                    }  # fmt: skip
                )
        return [_section(name, entries) for name, entries in sections.items() if entries]

    def _tables_by_section(self, request) -> dict[str, list]:
        """The tables the viewer may open, by section. Every admin page draws them in its sidebar, and
        building them (a permission check and two reverse() per table) cost about 13 ms a request; what
        a viewer may open follows from their role's permissions alone, so the lists are kept per role
        and permission set for the life of the process (entries are read, never changed, by callers)."""
        user = request.user
        key = (viewer_of(request).role, user.is_active, user.is_staff, user.is_superuser,
               frozenset(user.get_all_permissions()))  # fmt: skip
        if key not in self._sections_cache:
            sections: dict[str, list] = {name: [] for name in SECTIONS}
            for app in self._build_app_dict(request).values():
                for entry in app["models"]:
                    entry["name"] = _table_name(entry)
                    model_admin = self._registry[entry["model"]]
                    sections[getattr(model_admin, "index_section", SYSTEM)].append(entry)
            self._sections_cache[key] = sections
        return self._sections_cache[key]

    def app_index(self, request, app_label, extra_context=None):
        # "Activity", not Django's "Activity administration".
        config = next((c for c in apps.get_app_configs() if c.label == app_label), None)
        title = {"title": capfirst(config.verbose_name)} if config else {}
        return super().app_index(request, app_label, {**title, **(extra_context or {})})

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
        """Name the family's time zone on every page: all times and days shown are in it."""
        return {**super().each_context(request), "family_zone": zone_name()}

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register with row scoping: a ModelAdmin that lacks it (auth, axes) gets it mixed in."""
        admin_class = admin_class or FamilyModelAdmin
        if issubclass(admin_class, FamilyModelAdmin):
            return super().register(model_or_iterable, admin_class, **options)
        models_ = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models_:
            super().register(model, _family_admin_for(model, admin_class), **options)
        return None


def _table_name(entry) -> str:
    model = entry["model"]
    return TABLE_NAMES.get(model._meta.label_lower, entry["name"]) if model is not None else entry["name"]


def _section(name: str, entries: list) -> dict:
    """One section of the index in the shape of Django's app list: pages first (System's Health), then the
    tables by name. Its heading leads to its only app's page, or else to its first entry."""
    entries.sort(key=lambda entry: (entry["model"] is not None, entry["name"]))
    apps_ = {entry["model"]._meta.app_label for entry in entries if entry["model"] is not None}
    if len(entries) > 1 and len(apps_) == 1 and all(entry["model"] is not None for entry in entries):
        url = reverse("admin:app_list", kwargs={"app_label": apps_.pop()})
    else:
        url = entries[0]["admin_url"]
    return {
        "name": name,
        "app_label": slugify(name),
        "app_url": url,
        "has_module_perms": True,
        "models": entries,
    }


def _family_admin_for(model, admin_class):
    """`admin_class` with row scoping (family admins only), without the filters that scan a table, and with
    its list's heading and columns in the family's words (TABLE_NAMES, TABLE_COLUMNS)."""
    label = model._meta.label_lower
    columns = {
        f"{field}_in_words": words_display(
            field, description=heading, boolean=isinstance(model._meta.get_field(field), models.BooleanField)
        )
        for field, heading in TABLE_COLUMNS.get(label, ())
    }
    return type(
        f"Family{admin_class.__name__}",
        (FamilyModelAdmin, admin_class),
        {
            "__module__": admin_class.__module__,
            "owner_field": None,
            "date_hierarchy": None,
            "list_filter": tuple(f for f in admin_class.list_filter if _filter_is_cheap(model, f)),
            "list_title": TABLE_NAMES.get(label),
            **columns,
            **({"list_display": tuple(columns), "list_display_links": (next(iter(columns)),)} if columns else {}),
        },
    )


def _filter_is_cheap(model, list_filter) -> bool:
    # A plain field name without choices becomes a SELECT DISTINCT over the whole table.
    if not isinstance(list_filter, str) or "__" in list_filter:
        return True
    field = model._meta.get_field(list_filter)
    return bool(field.choices) or isinstance(field, (models.BooleanField, models.DateField))
