"""Settings in the admin: sensitive values never leak, values follow their JSON Schema, locked ones stay locked."""

import json
from html.parser import HTMLParser

import pytest
from django import forms

from history.models import Change
from telemetry.models import Setting
from telemetry.tests.factories import SettingFactory
from tests.admin.crawler import form_of
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db
SECRET = "sk-very-secret-value"
THEME_SCHEMA = {"type": "string", "enum": ["light", "dark", "system"]}
URL_SCHEMA = {"type": "string", "pattern": "^(https?|wss?)://[^\\s]+$"}


def change_form(setting: Setting, **changes) -> dict:
    data = {
        "category": setting.category or "",
        "description": setting.description or "",
        "new_value": "",
        "is_user_editable": "on" if setting.is_user_editable is not False else "",
        "validation_schema": json.dumps(setting.validation_schema),
        "default_value": "null",
    }
    if not setting.is_sensitive:
        data["is_sensitive"] = ""
    return {**data, **changes}


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def secret(rows):
    return rows["setting"]["secret"]


def test_sensitive_value_is_hidden_in_the_list(client_as, secret):
    response = client_as("admin").get(url("telemetry.setting", "changelist"))

    assert SECRET not in response.text
    assert "hidden" in response.text


def test_sensitive_value_is_hidden_in_the_change_form(client_as, secret):
    response = client_as("admin").get(url("telemetry.setting", "change", secret.pk))

    assert SECRET not in response.text


def test_sensitive_default_value_is_hidden_in_the_change_form(client_as, db):
    setting = SettingFactory(key="tts.key", value="a-secret", default_value="default-secret", is_sensitive=True)

    response = client_as("admin").get(url("telemetry.setting", "change", setting.pk))

    assert "default-secret" not in response.text


def test_replacing_a_sensitive_value_keeps_it_out_of_the_admin_log(client_as, secret):
    client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret, new_value="sk-new"))

    secret.refresh_from_db()
    entry = Change.objects.get(table_name="settings", row_id=secret.pk, action="update")
    assert secret.value == "sk-new"
    assert entry.changes == {"value": {"before": True, "after": True, "hidden": True}}
    assert "sk-new" not in str(Change.objects.values_list("changes", flat=True))


def test_history_page_of_a_sensitive_setting_shows_no_value(client_as, secret):
    client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret, new_value="sk-new"))

    response = client_as("admin").get(url("telemetry.setting", "history", secret.pk))

    assert "sk-new" not in response.text
    assert SECRET not in response.text


def test_blank_value_keeps_the_sensitive_value(client_as, secret):
    response = client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret))

    secret.refresh_from_db()
    assert response.status_code == 302
    assert secret.value == SECRET


def test_sensitive_value_is_hidden_in_the_csv_export_action(client_as, secret):
    data = {"action": "export_csv", "_selected_action": [secret.pk], "index": "0"}

    text = csv_text(client_as("admin").post(url("telemetry.setting", "changelist"), data))

    assert "n8n.api_key" in text
    assert SECRET not in text


def test_sensitive_value_is_hidden_in_the_csv_export_view(client_as, secret):
    text = csv_text(client_as("admin").get(url("telemetry.setting", "export")))

    assert "n8n.api_key" in text
    assert SECRET not in text


def test_sensitive_value_stays_hidden_when_the_form_comes_back_with_errors(client_as, secret):
    secret.validation_schema = {"type": "string", "maxLength": 8}
    secret.save()

    response = client_as("admin").post(
        url("telemetry.setting", "change", secret.pk), change_form(secret, new_value="sk-much-too-long-secret")
    )

    assert response.status_code == 200
    assert "sk-much-too-long-secret" not in response.text
    assert SECRET not in response.text


def test_new_sensitive_setting_does_not_echo_its_value_on_errors(client_as, db):
    data = {
        "key": "Bad Key",
        "new_value": '"brand-new-secret"',
        "is_sensitive": "on",
        "is_user_editable": "on",
        "default_value": "null",
        "validation_schema": "null",
    }

    response = client_as("admin").post(url("telemetry.setting", "add"), data)

    assert response.status_code == 200
    assert "brand-new-secret" not in response.text


def test_sensitive_setting_cannot_be_made_visible(client_as, secret):
    client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret, is_sensitive=""))

    secret.refresh_from_db()
    assert secret.is_sensitive is True


def test_value_breaking_the_json_schema_is_a_form_error(client_as, db):
    setting = SettingFactory(key="audio.volume", value=50, validation_schema={"type": "integer", "maximum": 100})

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="150")
    )

    setting.refresh_from_db()
    assert response.status_code == 200
    assert "150 is greater than the maximum of 100" in str(response.context["adminform"].form.errors["new_value"])
    assert setting.value == 50


def test_letters_in_a_whole_number_are_a_form_error(client_as, db):
    setting = SettingFactory(key="audio.volume", value=50, validation_schema={"type": "integer"})

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="loud")
    )

    setting.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["new_value"] == ["Enter a whole number."]
    assert setting.value == 50


def test_a_choice_not_offered_is_a_form_error(client_as, db):
    setting = SettingFactory(key="ui.theme", value="dark", validation_schema=THEME_SCHEMA)

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="purple")
    )

    setting.refresh_from_db()
    assert response.status_code == 200
    assert "purple is not one of the available choices" in str(response.context["adminform"].form.errors["new_value"])
    assert setting.value == "dark"


def test_yes_or_no_other_than_true_or_false_is_a_form_error(client_as, db):
    setting = SettingFactory(key="privacy.log_commands", value=True, validation_schema={"type": "boolean"})

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="maybe")
    )

    assert "not one of the available choices" in str(response.context["adminform"].form.errors["new_value"])


def test_text_that_is_not_json_in_the_json_fallback_is_a_form_error(client_as, db):
    setting = SettingFactory(key="ui.recent_words", value=["lights"])

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="not json")
    )

    assert "Enter a JSON value" in str(response.context["adminform"].form.errors["new_value"])


def test_invalid_json_schema_is_a_form_error(client_as, db):
    setting = SettingFactory(key="ui.name", value="Tonny")

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk),
        change_form(setting, validation_schema='{"type": "no-such-type"}'),
    )

    assert "Not a valid JSON Schema" in str(response.context["adminform"].form.errors["validation_schema"])


def test_schema_error_of_a_sensitive_setting_names_the_rule_not_the_value(client_as, secret):
    secret.validation_schema = {"type": "string", "pattern": "^sk-"}
    secret.save()

    response = client_as("admin").post(
        url("telemetry.setting", "change", secret.pk), change_form(secret, new_value="wrong-prefix-secret")
    )

    errors = str(response.context["adminform"].form.errors["new_value"])
    assert "pattern" in errors
    assert "wrong-prefix-secret" not in errors


def test_valid_value_is_saved_with_who_changed_it(client_as, family, db):
    setting = SettingFactory(key="audio.volume", value=50, validation_schema={"type": "integer", "maximum": 100})

    client_as("admin").post(url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="70"))

    setting.refresh_from_db()
    assert (setting.value, setting.updated_by) == (70, family["admin"])


def test_a_user_reads_the_family_settings_but_cannot_change_them(client_as, family, db):
    setting = SettingFactory(key="privacy.log_commands", value=True, validation_schema={"type": "boolean"})

    shown = client_as("user").get(url("telemetry.setting", "change", setting.pk))
    answer = client_as("user").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value="false")
    )

    setting.refresh_from_db()
    assert shown.status_code == 200 and answer.status_code == 403
    assert setting.value is True


def test_setting_that_is_not_user_editable_is_read_only_even_for_the_family_admin(client_as, rows):
    locked = rows["setting"]["locked"]

    client_as("admin").post(url("telemetry.setting", "change", locked.pk), change_form(locked, new_value="9090"))

    locked.refresh_from_db()
    assert locked.value == 8080


def test_reset_to_default_puts_the_default_back(client_as, rows):
    plain = rows["setting"]["plain"]
    data = {"action": "reset_to_default", "_selected_action": [plain.pk], "index": "0"}

    client_as("admin").post(url("telemetry.setting", "changelist"), data)

    plain.refresh_from_db()
    assert plain.value == "light"
    entry = Change.objects.get(table_name="settings", row_id=plain.pk, action="update")
    assert entry.changes["value"]["after"] == "light"


def test_reset_to_default_leaves_a_locked_setting_alone(client_as, db):
    locked = SettingFactory(key="server.port", value=8080, default_value=80, is_user_editable=False)
    data = {"action": "reset_to_default", "_selected_action": [locked.pk], "index": "0"}

    client_as("admin").post(url("telemetry.setting", "changelist"), data)

    locked.refresh_from_db()
    assert locked.value == 8080


class TextOutsideDetails(HTMLParser):
    """The text and attribute values of the setting's form a parent meets without opening "Details"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_form = False
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form" and dict(attrs).get("id") == "setting_form":
            self._in_form = True
        if tag in ("details", "script", "style"):
            self._hidden_depth += 1
        elif self._in_form and not self._hidden_depth:
            self.parts.extend(value for name, value in attrs if value and name not in ("class", "id", "for", "name"))

    def handle_endtag(self, tag):
        if tag in ("details", "script", "style"):
            self._hidden_depth -= 1
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._in_form and not self._hidden_depth:
            self.parts.append(data)


def change_page(client, setting: Setting):
    return client.get(url("telemetry.setting", "change", setting.pk))


KINDS = {
    "yes or no": (True, {"type": "boolean"}, forms.RadioSelect, "true"),
    "whole number": (90, {"type": "integer", "minimum": 1, "maximum": 3650}, forms.NumberInput, "90"),
    "number": (0.5, {"type": "number", "minimum": 0, "maximum": 1}, forms.NumberInput, "0.5"),
    "one of a list": ("dark", THEME_SCHEMA, forms.Select, "dark"),
    "text": ("ws://localhost:8888/asr", URL_SCHEMA, forms.TextInput, "ws://localhost:8888/asr"),
    "text without a schema": ("Tonny", None, forms.TextInput, "Tonny"),
    "list of objects": (
        [{"from": "2026-12-21"}],
        {"type": "array"},
        forms.Textarea,
        '[\n  {\n    "from": "2026-12-21"\n  }\n]',
    ),
}


@pytest.mark.parametrize(("value", "schema", "widget", "shown"), KINDS.values(), ids=KINDS.keys())
def test_each_kind_of_value_gets_its_own_field_showing_the_current_value(client_as, value, schema, widget, shown):
    setting = SettingFactory(key="ui.kind", value=value, validation_schema=schema)

    response = change_page(client_as("admin"), setting)

    field = response.context["adminform"].form.fields["new_value"]
    assert type(field.widget) is widget
    assert [text.strip("\r\n") for text in form_of(response.text).data["new_value"]] == [shown]


def test_a_whole_number_field_offers_the_schema_bounds(client_as, db):
    setting = SettingFactory(key="privacy.log_retention_days", value=90, validation_schema=KINDS["whole number"][1])

    response = change_page(client_as("admin"), setting)

    assert 'type="number" name="new_value" value="90"' in response.text
    assert 'min="1"' in response.text and 'max="3650"' in response.text


def test_a_number_field_takes_fractions(client_as, db):
    setting = SettingFactory(key="audio.vad_sensitivity", value=0.5, validation_schema=KINDS["number"][1])

    response = change_page(client_as("admin"), setting)

    assert 'step="any"' in response.text


def test_a_sensitive_text_is_typed_into_a_password_box_that_shows_nothing(client_as, secret):
    response = change_page(client_as("admin"), secret)

    widget = response.context["adminform"].form.fields["new_value"].widget
    assert isinstance(widget, forms.PasswordInput) and widget.render_value is False
    assert form_of(response.text).data["new_value"] == [""]


TYPED = {
    "whole number": (90, {"type": "integer"}, "70", 70, int),
    "number": (0.5, {"type": "number"}, "0.25", 0.25, float),
    "yes or no": (False, {"type": "boolean"}, "true", True, bool),
    "one of a list": ("light", THEME_SCHEMA, "dark", "dark", str),
    "text": ("ws://a.example", URL_SCHEMA, "wss://b.example/asr", "wss://b.example/asr", str),
    "list as JSON": ([], {"type": "array"}, '["a", 2]', ["a", 2], list),
}


@pytest.mark.parametrize(("before", "schema", "typed", "after", "python_type"), TYPED.values(), ids=TYPED.keys())
def test_typed_input_is_stored_as_its_json_type(client_as, before, schema, typed, after, python_type):
    setting = SettingFactory(key="ui.kind", value=before, validation_schema=schema)

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value=typed)
    )

    stored = Setting.objects.get(pk="ui.kind").value
    assert response.status_code == 302
    assert stored == after and type(stored) is python_type


@pytest.mark.parametrize("kind", ["yes or no", "whole number", "number", "one of a list", "text"])
def test_blank_keeps_the_current_value_of_every_kind(client_as, kind):
    value, schema, _, _ = KINDS[kind]
    setting = SettingFactory(key="ui.kind", value=value, validation_schema=schema)

    response = client_as("admin").post(url("telemetry.setting", "change", setting.pk), change_form(setting))

    assert response.status_code == 302
    assert Setting.objects.get(pk="ui.kind").value == value


@pytest.mark.parametrize("kind", ["yes or no", "one of a list", "text", "text without a schema"])
def test_no_json_meets_the_parent_outside_the_folded_details(client_as, kind):
    value, schema, _, _ = KINDS[kind]
    setting = SettingFactory(key="ui.kind", value=value, default_value=value, validation_schema=schema)

    page = TextOutsideDetails()
    page.feed(change_page(client_as("admin"), setting).text)

    text = " ".join(page.parts)
    assert "Value" in text and "Details" not in text
    assert not {"{", "}", '"', "[", "]"} & set(text), text


def test_the_technical_fields_are_folded_into_details(client_as, db):
    setting = SettingFactory(key="ui.theme", value="dark", validation_schema=THEME_SCHEMA)

    response = change_page(client_as("admin"), setting)

    details = [fieldset for fieldset in response.context["adminform"] if fieldset.name == "Details"]
    assert details and "collapse" in details[0].classes
    assert {"category", "default_value", "validation_schema"} <= set(details[0].fields)
    assert "<details>" in response.text


@pytest.mark.parametrize(
    ("value", "schema", "sentence"),
    [
        (90, {"type": "integer", "minimum": 1, "maximum": 3650}, "A whole number from 1 to 3,650."),
        ("dark", THEME_SCHEMA, "One of: light, dark, system."),
        (True, {"type": "boolean"}, "Yes or no."),
        ("ws://localhost:8888/asr", URL_SCHEMA, "A web address (http, https, ws or wss)."),
    ],
)
def test_the_schema_is_said_in_words_next_to_the_field(client_as, value, schema, sentence):
    setting = SettingFactory(key="ui.kind", value=value, validation_schema=schema)

    response = change_page(client_as("admin"), setting)

    assert sentence in response.context["adminform"].form.fields["new_value"].help_text
    assert sentence in response.text


def test_a_member_who_only_reads_a_setting_sees_its_rule_in_words(client_as, db):
    setting = SettingFactory(key="privacy.log_commands", value=True, validation_schema={"type": "boolean"})

    response = change_page(client_as("user"), setting)

    assert "Yes or no." in response.text


@pytest.mark.parametrize(
    ("value", "words"),
    [(True, "Yes"), (False, "No"), ("dark", "dark"), (70, "70"), ([{"a": 1}, {"b": 2}], "2 entries")],
)
def test_the_current_value_and_the_list_say_the_value_in_words(client_as, value, words):
    setting = SettingFactory(key="ui.kind", value=value, default_value=value)

    shown = change_page(client_as("admin"), setting)
    listed = client_as("admin").get(url("telemetry.setting", "changelist"), {"q": "ui.kind"})

    assert f'<div class="readonly">{words}</div>' in shown.text
    assert f'<td class="field-value_shown">{words}</td>' in listed.text


def test_the_add_page_keeps_the_json_box_and_says_why(client_as, db):
    response = client_as("admin").get(url("telemetry.setting", "add"))

    field = response.context["adminform"].form.fields["new_value"]
    assert isinstance(field.widget, forms.Textarea)
    assert "no schema yet" in field.help_text
