"""Quick actions move to the quickactions app and requests to a parent to parental: state only, no table changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0009_policy_sessions_idle"),
        ("quickactions", "0001_initial"),
        ("parental", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name="parentrequest",
                    name="parent_requests_approved_idx",
                ),
                migrations.RemoveIndex(
                    model_name="parentrequest",
                    name="parent_requests_pending_idx",
                ),
                migrations.RemoveConstraint(
                    model_name="parentrequest",
                    name="parent_requests_kind_valid",
                ),
                migrations.RemoveConstraint(
                    model_name="parentrequest",
                    name="parent_requests_status_valid",
                ),
                migrations.RemoveConstraint(
                    model_name="parentrequest",
                    name="parent_requests_command_named",
                ),
                migrations.RemoveConstraint(
                    model_name="parentrequest",
                    name="parent_requests_approval_ends",
                ),
                migrations.RemoveIndex(
                    model_name="quickaction",
                    name="quick_actions_enabled_idx",
                ),
                migrations.RemoveConstraint(
                    model_name="quickaction",
                    name="quick_actions_id_slug",
                ),
                migrations.RemoveConstraint(
                    model_name="quickaction",
                    name="quick_actions_command_sequence_not_empty",
                ),
                migrations.DeleteModel(
                    name="QuickAction",
                ),
                migrations.DeleteModel(
                    name="ParentRequest",
                ),
            ],
        ),
    ]
