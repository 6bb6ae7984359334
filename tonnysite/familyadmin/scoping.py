"""Row-level scoping for every ModelAdmin: a family admin sees every row, a member only their own.

Everything the admin shows or changes goes through `get_queryset`: change lists,
detail, history and delete pages, actions (their querysets come from the change
list), autocompletes (they ask the related model's admin) and CSV exports. A row
outside the viewer's scope is simply absent, so its URL answers 404.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import BadRequest, EmptyResultSet, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tonnysite.errors import bad_input_message
from tonnysite.familyadmin.display import NullableArrayFormField, PrettyJSONFormField
from tonnysite.familyadmin.members import member_directory
from tonnysite.familyadmin.pagination import EstimatedCountPaginator
from tonnysite.familyadmin.results import family_result_list


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the signed-in user, the profile they act as, and that profile's role."""

    user: object
    profile: models.Model | None
    role: str | None

    @property
    def sees_every_profile(self) -> bool:
        return member_directory().role_sees_every_profile(self.role)


def viewer_of(request) -> Viewer:
    """The viewer of `request`, looked up once per request (who they are: see `members`)."""
    viewer = getattr(request, "_family_viewer", None)
    if viewer is None:
        profile, role = member_directory().profile_and_role_of(request.user)
        viewer = Viewer(user=request.user, profile=profile, role=role)
        request._family_viewer = viewer
    return viewer


def profiles_visible_to(viewer: Viewer) -> QuerySet:
    """The profiles a viewer may pick or see: all for a family admin, else their own."""
    profiles = member_directory().profile_model.objects
    if viewer.sees_every_profile:
        return profiles.all()
    if viewer.profile is None:
        return profiles.none()
    return profiles.filter(pk=viewer.profile.pk)


class ProfileListFilter(admin.SimpleListFilter):
    """Filter by family member, named in the address as in the list (`?profile=Alex`, names are unique in the
    family), offering only the profiles the viewer may see (no scan of the big table).

    A family of up to `choices_at_most` members gets a link a member; a bigger one (a household
    server with thousands) gets a box to type the name in, so a list page never grows with the
    number of members. Either way an unknown name answers 400.
    """

    title = "family member"
    parameter_name = "profile"
    field_path = "profile"
    choices_at_most = 30
    typed = False  # the name is typed in a box (more members than choices_at_most)

    def lookups(self, request, model_admin):
        # Django asks for the choices first; their ids are kept, so filtering by a name needs no second query.
        visible = profiles_visible_to(viewer_of(request)).order_by("name").values_list("name", "pk")
        self.ids_by_name = dict(visible[: self.choices_at_most + 1])
        if len(self.ids_by_name) <= self.choices_at_most:
            return [(name, name) for name in self.ids_by_name]
        self.typed, self.visible = True, visible
        self.template = "admin/familyadmin/member_filter.html"
        # The box keeps the list's other filters and its search; a new member starts from the first page.
        self.kept_params = [(k, v) for k, v in request.GET.items() if k not in (self.parameter_name, PAGE_VAR)]
        value = self.value()
        return [(value, value)] if value else []

    def has_output(self):
        return self.typed or super().has_output()

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if self.typed and value not in self.ids_by_name:
            self.ids_by_name.update(self.visible.filter(name=value[:200]))
        if value not in self.ids_by_name:
            raise IncorrectLookupParameters(f"“{value[:60]}” is not a family member this login can see.")
        return queryset.filter(**{f"{self.field_path}_id": self.ids_by_name[value]})


def lookup_touches_secret(model, lookup: str) -> bool:
    """Whether `lookup` (as in `?pin_hash__startswith=`) reads a secret column along its path.

    Models name their secret columns in `secret_fields`; a filter on one would answer
    "is my guess right?" and so give the secret away, whatever is shown.
    """
    for part in lookup.split(LOOKUP_SEP):
        if part in getattr(model, "secret_fields", ()):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


class FamilyModelAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin of the family admin.

    `owner_field` is the lookup from a row to the profile that owns it; None makes
    the table visible to family admins only. Override `rows_of_member` for other rules.
    The defaults keep big tables cheap: estimated counts, no full count, no facets.
    """

    owner_field: str | None = "profile"
    list_title: str | None = None  # the list's heading; else the table's own name ("Members"), not "Select … to change"
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    formfield_overrides = {
        models.JSONField: {
            "form_class": PrettyJSONFormField,
            "widget": forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"}),
        },
    }

    def get_queryset(self, request):
        return self.rows_visible_to(request, super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        title = self.list_title or capfirst(self.opts.verbose_name_plural)
        response = super().changelist_view(request, {"title": title, **(extra_context or {})})
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist is not None:
            # The rows drawn once a column, not once a cell (admin/change_list.html; Django's tag otherwise).
            response.context_data["family_rows"] = family_result_list(changelist)
        return response

    def lookup_allowed(self, lookup, value, request):
        # Like Django's user admin refuses `password__…`: no filter on any secret, for any role.
        return not lookup_touches_secret(self.model, lookup) and super().lookup_allowed(lookup, value, request)

    def get_changelist_instance(self, request):
        """The change list, or a 400 that says which filter, search or page cannot be shown.

        Django would redirect to `?e=1` and then show a "database error" page; lists and
        their CSV exports share this, so both answer the same clear 400. A filter value
        Python cannot turn into SQL (year 0, an address that is not an IP address) is
        caught here too, by compiling the query before the page is drawn.
        """
        try:
            changelist = super().get_changelist_instance(request)
            with contextlib.suppress(EmptyResultSet):  # Django knows that nothing matches
                changelist.queryset.query.sql_with_params()
        except IncorrectLookupParameters as error:
            if not error.args and PAGE_VAR in request.GET:
                # Django says nothing about which page; say it, and how deep lists go.
                raise BadRequest(
                    f"This list has no page “{request.GET[PAGE_VAR][:20]}”. Pages are numbered from 1 and go at "
                    f"most {self.paginator.max_pages} deep: filter by member, status or date, or search, "
                    "to reach older rows."
                ) from error
            raise BadRequest(bad_input_message(error)) from error
        except (ValueError, OverflowError, ValidationError) as error:
            raise BadRequest(bad_input_message(IncorrectLookupParameters(error))) from error
        return changelist

    def rows_visible_to(self, request, queryset: QuerySet) -> QuerySet:
        viewer = viewer_of(request)
        if viewer.sees_every_profile:
            return queryset
        if viewer.profile is None:
            return queryset.none()
        return self.rows_of_member(viewer, queryset)

    def rows_of_member(self, viewer: Viewer, queryset: QuerySet) -> QuerySet:
        """The rows a member below family admin sees: those of their own profile."""
        if self.owner_field is None:
            return queryset.none()
        return queryset.filter(**{self.owner_field: viewer.profile.pk})

    def get_object(self, request, object_id, from_field=None):
        # A table the viewer may not see is a 403 before any lookup; a row outside the
        # viewer's scope (or gone) is a 404, never a redirect that confirms it exists.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such row.")
        return obj

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.BooleanField) and db_field.null:
            # The schema's booleans are nullable only for plain-SQL inserts; a form shows a checkbox.
            kwargs.setdefault("form_class", forms.BooleanField)
        if db_field.null and isinstance(db_field, (models.CharField, models.TextField)):
            # A blank box keeps the column NULL, as a plain-SQL client left it, not ''.
            kwargs.setdefault("empty_value", None)
        if db_field.null and isinstance(db_field, ArrayField):
            kwargs.setdefault("form_class", NullableArrayFormField)
            kwargs.setdefault("base_field", db_field.base_field.formfield())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request):
        """The admin's own, and every member chooser of its forms: a search box that asks the member admin's
        autocomplete (scoped like its list: a member finds only themselves), never a select of every member."""
        own = tuple(super().get_autocomplete_fields(request))
        profile_model = member_directory().profile_model
        if not self.admin_site.is_registered(profile_model):
            return own
        members = tuple(
            field.name
            for field in self.model._meta.get_fields()
            if field.concrete
            and (field.many_to_one or field.one_to_one or field.many_to_many)
            and field.related_model is profile_model
            and field.name not in own
        )
        return own + members

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is member_directory().profile_model:
            kwargs.setdefault("queryset", profiles_visible_to(viewer_of(request)))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def action_checkbox(self, obj):
        # Django's markup, written directly: rendering a widget template per row costs
        # about a fifth of a change list's time (and format_html twice a row, a tenth of what is left).
        label = escape(_("Select this object for an action - {}").format(escape(str(obj))))
        return mark_safe(  # noqa: S308  (both values escaped here)
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{escape(str(obj.pk))}" '
            f'class="action-select" aria-label="{label}">'
        )


class ActionsOnlyAdminMixin:
    """Nothing is added or edited in a form; the change permission serves the list's actions only (end a
    session, resolve an event, send a notification again), which go through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)


class ReadOnlyAdminMixin:
    """Nothing is added or edited here; family admins may still delete when their permissions say so."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
