"""Bad input gets a clear 400 or a form error, in one place: NUL bytes, values that do not fit, JSON jsonb refuses."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activity.tests.factories import ActivityLogFactory
from profiles.models import UserProfile
from telemetry.models import Setting
from tests.admin.conftest import signed_in_client
from tests.admin.crawler import form_of
from tonnysite.json_values import MAX_JSON_DEPTH, json_parse, json_storable_check

UNSTORABLE_JSON = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "NUL in text": '"a\\u0000b"',
    "NUL in a key": '{"a\\u0000": 1}',
    "lone surrogate": '"\\ud800"',
    "too deep": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
    "thousands deep": "[" * 5000 + "]" * 5000,
    "not JSON": "{'single': 'quotes'}",
}


@pytest.mark.parametrize("text", UNSTORABLE_JSON.values(), ids=UNSTORABLE_JSON.keys())
def test_json_postgresql_cannot_store_is_refused_naming_the_field(text):
    with pytest.raises(ValidationError) as refused:
        json_parse(text, field="usage_limits", label="Usage limits")

    assert refused.value.message_dict["usage_limits"][0].startswith("Usage limits: ")


def test_json_nested_up_to_the_limit_is_accepted():
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH

    assert json_parse(text, field="value") is not None


def test_a_value_built_in_python_is_checked_too():
    with pytest.raises(ValidationError, match="finite"):
        json_storable_check({"limit": float("nan")}, field="usage_limits")


@pytest.mark.django_db
@pytest.mark.parametrize("text", UNSTORABLE_JSON.values(), ids=UNSTORABLE_JSON.keys())
def test_every_json_field_of_the_profile_form_shows_the_refusal(family, text):
    client = signed_in_client("admin")
    page = reverse("admin:profiles_userprofile_change", args=[family.other.pk])
    before = UserProfile.objects.values("usage_limits", "settings").get(pk=family.other.pk)

    # usage_limits has its own page (parental controls); settings is the profile form's JSON box.
    response = client.post(page, {**form_of(client.get(page).text).data, "settings": [text]})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["settings"]
    assert UserProfile.objects.values("usage_limits", "settings").get(pk=family.other.pk) == before


@pytest.mark.django_db
def test_null_as_a_setting_value_typed_as_json_is_a_form_error_not_a_crash(family):
    # Lists and objects are the settings still typed as JSON (no simpler field fits them).
    Setting.objects.create(key="ui.recent_words", value=["lights"])
    client = signed_in_client("admin")
    page = reverse("admin:telemetry_setting_change", args=["ui.recent_words"])

    response = client.post(page, {**form_of(client.get(page).text).data, "new_value": ["null"]})

    assert response.status_code == 200
    assert "JSON null cannot be stored" in str(response.context["adminform"].form.errors)
    assert Setting.objects.get(pk="ui.recent_words").value == ["lights"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("schema", "typed", "words"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 3650}, "ninety", "Enter a whole number."),
        ({"type": "integer"}, "1.5", "Enter a whole number."),
        ({"type": "number"}, "1e400", "Enter a number."),
        ({"type": "number"}, "NaN", "Enter a number."),
        ({"type": "boolean"}, "yes please", "not one of the available choices"),
        ({"type": "string", "enum": ["light", "dark"]}, "purple", "not one of the available choices"),
    ],
)
def test_input_a_typed_setting_field_cannot_take_is_a_form_error_not_a_crash(family, schema, typed, words):
    value = {"integer": 90, "number": 0.5, "boolean": True, "string": "dark"}[schema["type"]]
    Setting.objects.create(key="ui.typed", value=value, validation_schema=schema)
    client = signed_in_client("admin")
    page = reverse("admin:telemetry_setting_change", args=["ui.typed"])

    response = client.post(page, {**form_of(client.get(page).text).data, "new_value": [typed]})

    assert response.status_code == 200
    assert words in str(response.context["adminform"].form.errors["new_value"])
    assert Setting.objects.get(pk="ui.typed").value == value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"whisper_time_ms": "abc"}, "cannot be shown with those filters"),
        ({"timestamp__gte": "2026-02-30"}, "cannot be shown with those filters"),
        ({"timestamp__year": "0"}, "year 0 is out of range"),
        ({"profile": "not-a-uuid"}, "is not a family member"),
        ({"q": "lights\x00"}, "NUL character"),
        ({"status__exact": "a\x00"}, "NUL character"),
    ],
)
def test_a_list_and_its_export_answer_the_same_clear_400(family, params, words):
    ActivityLogFactory(profile=family["kid"])
    client = signed_in_client("admin")

    for name in ("changelist", "export"):
        response = client.get(reverse(f"admin:activity_activitylog_{name}"), params)
        assert response.status_code == 400, (name, params)
        assert words in response.text


@pytest.mark.django_db
def test_a_nul_byte_in_an_object_id_or_a_form_is_refused_and_nothing_is_written(family):
    client = signed_in_client("admin")

    assert client.get("/admin/quickactions/quickaction/a%00b/change/").status_code == 400
    response = client.post(reverse("admin:quickactions_quickaction_add"), {"id": "x\x00y", "display_name": "X"})
    assert response.status_code == 400
    assert "NUL character" in response.text


@pytest.mark.django_db
def test_a_number_beyond_bigint_finds_no_rows_rather_than_failing(family):
    ActivityLogFactory(profile=family["kid"], whisper_time_ms=120)
    client = signed_in_client("admin")

    listed = client.get(reverse("admin:activity_activitylog_changelist"), {"whisper_time_ms__gte": "9" * 30})
    exported = client.get(reverse("admin:activity_activitylog_export"), {"whisper_time_ms__gte": "9" * 30})

    assert listed.status_code == exported.status_code == 200
    assert b"".join(exported.streaming_content).count(b"\n") == 1  # the header row only


@pytest.mark.django_db
def test_profile_save_refuses_json_postgresql_cannot_store_from_any_caller(family):
    from profiles.services import profile_save

    profile = UserProfile.objects.get(pk=family.other.pk)
    profile.usage_limits = {"daily_limit_minutes": float("inf")}

    with pytest.raises(ValidationError) as refused:
        profile_save(profile=profile)
    assert "usage_limits" in refused.value.message_dict
