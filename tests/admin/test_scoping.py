"""Row scoping: a member sees, exports and acts on their own rows only; other rows are 404, never data."""

import pytest
from django.urls import reverse

from tests.admin.helpers import url

pytestmark = pytest.mark.django_db


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_kid_sees_own_activity_in_the_list(client_as, rows):
    response = client_as("kid").get(url("activity.activitylog", "changelist"))

    assert "turn on the lights for kid" in response.text


def test_kid_cannot_see_other_profiles_activity_in_the_list(client_as, rows):
    response = client_as("kid").get(url("activity.activitylog", "changelist"))

    assert "turn on the lights for other" not in response.text
    assert "turn on the lights for user" not in response.text


@pytest.mark.parametrize("view", ["change", "history", "delete"])
@pytest.mark.parametrize("model", ["activitylog", "commandhistory", "session", "usagestatistic"])
def test_kid_opening_another_members_row_by_url_gets_404(client_as, rows, model, view):
    other_row = rows["other"][model]

    response = client_as("kid").get(url(f"activity.{model}", view, other_row.pk))

    assert response.status_code == 404


def test_user_opening_another_members_profile_by_url_gets_404(client_as, family):
    response = client_as("user").get(url("profiles.userprofile", "change", family.other.pk))

    assert response.status_code == 404


def test_user_opening_another_members_notification_by_url_gets_404(client_as, rows):
    response = client_as("user").get(url("telemetry.notification", "change", rows["other"]["notification"].pk))

    assert response.status_code == 404


def test_user_posting_a_change_to_another_members_profile_changes_nothing(client_as, family):
    response = client_as("user").post(
        url("profiles.userprofile", "change", family.other.pk), {"name": "Renamed", "voice_id": "x"}
    )

    family.other.refresh_from_db()
    assert response.status_code == 404
    assert family.other.name == "Other Member"


def test_user_sees_quick_actions_up_to_their_level_only(client_as, rows):
    response = client_as("user").get(url("quickactions.quickaction", "changelist"))

    shown = {action.pk for action in response.context["cl"].result_list}
    assert shown == {"action_user", "action_kid", "action_guest"}


def test_user_opening_an_admin_level_quick_action_by_url_gets_404(client_as, rows):
    response = client_as("user").get(url("quickactions.quickaction", "change", "action_admin"))

    assert response.status_code == 404


def test_user_switching_an_admin_level_quick_action_changes_nothing(client_as, rows):
    data = {"action": "disable_selected", "_selected_action": ["action_admin"], "index": "0"}

    client_as("user").post(url("quickactions.quickaction", "changelist"), data)

    rows["quickaction"]["admin"].refresh_from_db()
    assert rows["quickaction"]["admin"].is_enabled is True


def test_user_does_not_see_sensitive_settings_in_the_list(client_as, rows):
    response = client_as("user").get(url("telemetry.setting", "changelist"))

    shown = {s.pk for s in response.context["cl"].result_list}
    # Settings made by migrations (the family's calendar, the alerts' thresholds) are there too unless a
    # flush removed them; none of them is secret.
    made_by_migrations = {key for key in shown if key.startswith(("family.", "alerts."))}
    assert shown - made_by_migrations == {"ui.theme", "server.port"}
    assert "n8n.api_key" not in shown


def test_user_opening_a_sensitive_setting_by_url_gets_404(client_as, rows):
    response = client_as("user").get(url("telemetry.setting", "change", "n8n.api_key"))

    assert response.status_code == 404


def test_action_on_another_members_row_leaves_it_out(client_as, rows):
    data = {"action": "export_csv", "_selected_action": [str(rows["other"]["activitylog"].pk)], "index": "0"}

    response = client_as("user").post(url("activity.activitylog", "changelist"), data)

    # The selection holds no row the user may see: the export is the header line alone.
    assert csv_text(response).strip().count("\n") == 0


def test_export_of_every_row_holds_only_the_kids_own_rows(client_as, rows):
    data = {"action": "export_csv", "select_across": "1", "_selected_action": ["x"], "index": "0"}

    response = client_as("kid").post(url("activity.activitylog", "changelist"), data)

    text = csv_text(response)
    assert "lights for kid" in text
    assert "lights for other" not in text
    assert "lights for user" not in text


def test_export_view_holds_only_the_kids_own_rows(client_as, rows):
    response = client_as("kid").get(url("activity.usagestatistic", "export"))

    text = csv_text(response)
    assert "Kid Member" in text
    assert "Other Member" not in text


def test_profile_autocomplete_offers_a_user_only_their_own_profile(client_as, family):
    params = {"app_label": "activity", "model_name": "session", "field_name": "profile", "term": "Member"}

    response = client_as("user").get(reverse("admin:autocomplete"), params)

    assert [r["text"] for r in response.json()["results"]] == ["User Member"]


def test_profile_autocomplete_offers_the_admin_every_profile(client_as, family):
    params = {"app_label": "activity", "model_name": "session", "field_name": "profile", "term": "Member"}

    response = client_as("admin").get(reverse("admin:autocomplete"), params)

    assert len(response.json()["results"]) == 5


def test_family_member_filter_offers_a_kid_only_their_own_name(client_as, rows):
    response = client_as("kid").get(url("activity.activitylog", "changelist"))

    assert "Kid Member" in response.text
    assert "Other Member" not in response.text
    assert "User Member" not in response.text


def test_recent_activity_view_shows_a_kid_only_their_own_commands(client_as, rows):
    response = client_as("kid").get(url("activity.recentactivity", "changelist"))

    assert [r.command_text for r in response.context["cl"].result_list] == ["turn on the lights for kid"]


def test_statistics_summary_shows_a_user_only_their_own_row(client_as, rows):
    response = client_as("user").get(url("activity.userstatisticssummary", "changelist"))

    assert [r.name for r in response.context["cl"].result_list] == ["User Member"]


def test_family_admin_sees_every_members_activity(client_as, rows):
    response = client_as("admin").get(url("activity.activitylog", "changelist"))

    assert len(response.context["cl"].result_list) == 3


def test_superuser_without_a_profile_counts_as_family_admin(db, rows):
    from django.contrib.auth import get_user_model

    from tests.admin.conftest import signed_in_client

    get_user_model().objects.create_superuser("root", password="x-root-pass-1")

    response = signed_in_client("root").get(url("activity.activitylog", "changelist"))

    assert len(response.context["cl"].result_list) == 3


def test_staff_login_without_a_profile_gets_no_admin_access(db):
    from django.contrib.auth import get_user_model

    from tests.admin.conftest import signed_in_client

    get_user_model().objects.create_user("stray", password="x-stray-pass-1", is_staff=True)

    response = signed_in_client("stray").get(reverse("admin:index"))

    assert response.status_code == 302
