from django.apps import AppConfig


class HouseholdConfig(AppConfig):
    """The sample family and the synthetic households: writers of data, at the top of the import graph.

    No other app imports this one; it imports profiles, activity and telemetry.
    """

    name = "household"
    verbose_name = "Sample and synthetic households"
    default_auto_field = "django.db.models.BigAutoField"
