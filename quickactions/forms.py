"""Forms of the quick-action pages: they turn boxes into values; quickactions.services checks and saves."""

from __future__ import annotations

from django import forms
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from profiles.models import PermissionLevel
from quickactions import services
from quickactions.models import QuickAction
from quickactions.selectors import quick_action_categories
from tonnysite.familyadmin.forms import lines_of

KEEP_CHOICE = ("", "— keep as it is —")


class CategoryInput(forms.TextInput):
    """A text box offering the categories in use (an HTML datalist): pick one or type a new one."""

    template_name = "admin/quickactions/quickaction/category_input.html"

    def __init__(self, attrs=None, categories=()):
        super().__init__({"class": "vTextField", "autocomplete": "off", **(attrs or {})})
        self.categories = list(categories)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-choices"
        context["widget"]["attrs"]["list"] = list_id
        context["list_id"] = list_id
        context["categories"] = self.categories
        return context


class CommandSequenceInput(forms.Textarea):
    """One command a line; quick_actions.js turns it into a list with add, remove, up and down buttons."""

    def __init__(self):
        super().__init__({"rows": 6, "cols": 80, "class": "vLargeTextField command-sequence"})

    class Media:
        js = ["quickactions/quick_actions.js"]
        css = {"all": ["quickactions/quick_actions.css"]}


class CommandSequenceField(forms.CharField):
    """An ordered list of commands, one a line: a comma is part of a command."""

    widget = CommandSequenceInput

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "One command a line, run from top to bottom; commas are part of a command "
            "(“set the lights to red, green and blue” is one command).",
        )
        super().__init__(strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        text = super().to_python(value) or ""
        return [line.strip() for line in lines_of(text)]

    def validate(self, value):
        if problems := services.command_sequence_problems(commands=value):
            raise ValidationError(problems)

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


def permission_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(choices=PermissionLevel.choices, initial=PermissionLevel.USER, **kwargs)


class QuickActionForm(forms.ModelForm):
    """One quick action, as a family admin edits it (the category is `metadata.category`)."""

    id = forms.CharField(
        max_length=100,
        validators=[RegexValidator(r"\A[a-z0-9_]+\Z", services.QUICK_ACTION_ID_MESSAGE, "invalid_id")],
        help_text="Lowercase letters, digits and underscores, like good_morning; it cannot change later.",
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )
    category = forms.CharField(
        max_length=services.QUICK_ACTION_CATEGORY_MAX,
        required=False,
        help_text="Choose one in use or type a new one (such as routines).",
    )
    command_sequence = CommandSequenceField(label="Commands")
    required_permission = permission_field(
        help_text="The lowest role that may run it: “kid” means kids, users and admins (guests not)."
    )

    class Meta:
        model = QuickAction
        fields = (
            "id", "display_name", "icon", "category", "command_sequence", "description", "is_enabled",
            "required_permission",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].widget = CategoryInput(categories=quick_action_categories())
            self.fields["category"].initial = services.quick_action_category(action=self.instance)


class QuickActionActionForm(helpers.ActionForm):
    """The action bar of the list, with the value "Set the required permission" and "Set the category" use."""

    permission = forms.ChoiceField(
        label="permission", choices=[("", "permission…"), *PermissionLevel.choices], required=False
    )
    category = forms.CharField(
        label="category",
        max_length=services.QUICK_ACTION_CATEGORY_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "category…", "size": 12}),
    )


class QuickActionBulkEditForm(forms.Form):
    """What to change on every selected action; a field left as it is stays as each action has it."""

    change_icon = forms.BooleanField(label="Change the icon", required=False)
    icon = forms.CharField(max_length=50, required=False, help_text="Blank removes the icon.")
    change_category = forms.BooleanField(label="Change the category", required=False)
    category = forms.CharField(
        max_length=services.QUICK_ACTION_CATEGORY_MAX, required=False, help_text="Blank removes the category."
    )
    required_permission = forms.ChoiceField(
        label="Required permission", choices=[KEEP_CHOICE, *PermissionLevel.choices], required=False
    )
    is_enabled = forms.ChoiceField(
        label="Enabled", choices=[KEEP_CHOICE, ("on", "Enabled"), ("off", "Disabled")], required=False
    )
    change_description = forms.BooleanField(label="Change the description", required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget = CategoryInput(categories=quick_action_categories())

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes():
            raise ValidationError("Choose at least one thing to change.")
        return cleaned

    def changes(self) -> dict:
        """The service's keyword arguments for what is to change."""
        data, changes = self.cleaned_data, {}
        for name in ("icon", "category", "description"):
            if data.get(f"change_{name}"):
                changes[name] = data.get(name) or ""
        if data.get("required_permission"):
            changes["required_permission"] = data["required_permission"]
        if data.get("is_enabled"):
            changes["is_enabled"] = data["is_enabled"] == "on"
        return changes


class QuickActionImportForm(forms.Form):
    """A CSV or JSON file of quick actions, as the export writes them."""

    file = forms.FileField(label="CSV or JSON file", help_text="As “Export CSV” or “Export JSON” writes it.")
