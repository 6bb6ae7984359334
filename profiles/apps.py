from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Family"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import roles, selectors, signals
        from profiles.models import UserProfile
        from tonnysite.familyadmin.members import MemberDirectory, member_directory_register

        post_migrate.connect(signals.role_groups_after_migrate, sender=self)
        # The shared admin machinery imports no app; it learns who a login is from here.
        member_directory_register(
            MemberDirectory(
                profile_model=UserProfile,
                profile_and_role_of=selectors.profile_and_role_of_user,
                role_has_admin_access=roles.role_has_admin_access,
                role_sees_every_profile=roles.role_sees_every_profile,
            )
        )
