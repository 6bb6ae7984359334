"""Settings in the admin: sensitive values never leak, values follow their JSON Schema, locked ones stay locked."""

import json

import pytest

from history.models import Change
from telemetry.models import Setting
from telemetry.tests.factories import SettingFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db
SECRET = "sk-very-secret-value"


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
    client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret, new_value='"sk-new"'))

    secret.refresh_from_db()
    entry = Change.objects.get(table_name="settings", row_id=secret.pk, action="update")
    assert secret.value == "sk-new"
    assert entry.changes == {"value": {"before": True, "after": True, "hidden": True}}
    assert "sk-new" not in str(Change.objects.values_list("changes", flat=True))


def test_history_page_of_a_sensitive_setting_shows_no_value(client_as, secret):
    client_as("admin").post(url("telemetry.setting", "change", secret.pk), change_form(secret, new_value='"sk-new"'))

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
        url("telemetry.setting", "change", secret.pk), change_form(secret, new_value='"sk-much-too-long-secret"')
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


def test_value_of_the_wrong_type_is_a_form_error(client_as, db):
    setting = SettingFactory(key="audio.volume", value=50, validation_schema={"type": "integer"})

    response = client_as("admin").post(
        url("telemetry.setting", "change", setting.pk), change_form(setting, new_value='"loud"')
    )

    assert response.context["adminform"].form.errors["new_value"] == ["'loud' is not of type 'integer'."]


def test_text_that_is_not_json_is_a_form_error(client_as, db):
    setting = SettingFactory(key="ui.name", value="Tonny")

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
        url("telemetry.setting", "change", secret.pk), change_form(secret, new_value='"wrong-prefix-secret"')
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
