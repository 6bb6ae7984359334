"""No filter, export or autocomplete answers "is my guess about a secret right?", for any role."""

import pytest
from django.urls import reverse

from profiles.services import pin_set
from telemetry.models import Setting
from tests.admin.conftest import signed_in_client

pytestmark = pytest.mark.django_db

SECRET = "sk-elevenlabs-4f2a"
LOOKUPS = ("", "__exact", "__iexact", "__startswith", "__istartswith", "__contains", "__icontains", "__regex",
           "__gt", "__lt", "__in", "__isnull", "__has_key", "__contained_by")  # fmt: skip
SECRET_COLUMNS = [
    ("telemetry", "setting", "value"),
    ("telemetry", "setting", "default_value"),
    ("profiles", "userprofile", "pin_hash"),
]
# Who may open each list at all: the others get 403 before any filter is looked at.
LIST_OPENS_FOR = {"setting": {"admin", "user"}, "userprofile": {"admin", "user"}}


@pytest.fixture
def secrets(family):
    Setting.objects.create(key="elevenlabs.api_key", value=SECRET, default_value=SECRET, is_sensitive=True)
    pin_set(profile=family["kid"], pin="4826")


def guesses(field: str) -> list[str]:
    if field == "pin_hash":
        return ["$2b$", "$2b$12$", "nope"]
    return ["sk-", SECRET, '"sk-', "zz"]


# Profiles have no CSV export; settings have both a list and an export.
PAGES = [(*column, page) for column in SECRET_COLUMNS for page in ("changelist", "export") if column[1] == "setting"]
PAGES += [(*column, "changelist") for column in SECRET_COLUMNS if column[1] == "userprofile"]


@pytest.mark.parametrize(("app", "model", "field", "page"), PAGES)
@pytest.mark.parametrize("role", ["admin", "user", "kid"])
def test_every_lookup_on_a_secret_column_is_refused(secrets, app, model, field, page, role):
    path = reverse(f"admin:{app}_{model}_{page}")
    client = signed_in_client(role)
    expected = 400 if role in LIST_OPENS_FOR[model] else 403
    for lookup in LOOKUPS:
        answers = {client.get(path, {f"{field}{lookup}": guess}).status_code for guess in guesses(field)}
        assert answers == {expected}, (field + lookup, answers)


def test_a_lookup_across_a_relation_to_a_secret_is_refused(secrets):
    # Activity rows point at profiles: ?profile__pin_hash__startswith= must not work either.
    response = signed_in_client("admin").get(
        reverse("admin:activity_activitylog_changelist"), {"profile__pin_hash__startswith": "$2b$"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("role", ["admin", "user", "kid"])
def test_autocomplete_cannot_search_or_return_a_secret(secrets, family, role):
    client = signed_in_client(role)
    for field_name, term in [("profile", "$2b$"), ("profile", SECRET), ("pin_hash", "$2b$"), ("value", "sk-")]:
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "telemetry", "model_name": "notification", "field_name": field_name, "term": term},
        )
        assert response.status_code in (200, 403, 404)
        assert "$2b$" not in response.text
        assert SECRET not in response.text
        if response.status_code == 200:
            assert response.json()["results"] == []


def test_the_refusal_says_which_filter_is_not_allowed(secrets):
    response = signed_in_client("admin").get(reverse("admin:telemetry_setting_changelist"), {"value__startswith": "s"})

    assert response.status_code == 400
    assert "Filtering by value__startswith not allowed" in response.text


def test_a_sensitive_settings_schema_cannot_be_changed(secrets):
    from django.core.exceptions import ValidationError

    from telemetry.services import setting_update

    setting = Setting.objects.get(pk="elevenlabs.api_key")
    setting.validation_schema = {"type": "string", "pattern": "^sk-a"}

    with pytest.raises(ValidationError, match="cannot be changed"):
        setting_update(setting=setting)
    assert Setting.objects.get(pk="elevenlabs.api_key").validation_schema is None
