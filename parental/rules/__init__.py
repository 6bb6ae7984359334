"""The family's rules and the policy decision: may this member run this command at this moment, and why (not)?

One function, `policy_decide`, answers for the admin's preview, `manage.py policy_check`
and the tray API. It reads the parental controls stored in the seed's columns
(`user_profiles.is_active`, `allowed_commands`, `blocked_commands`, `usage_limits`), the
family's calendar (settings `family.country` and `family.holidays`), the member's sessions
of the local day and, before refusing, a parent's approval that holds (`parent_requests`);
it costs at most two queries (none to read the profile when the caller has it, one for the
calendar and the minutes used, one for an approval when the answer would be a refusal).

Reasons, in order of precedence (the first that applies wins): `inactive`, `paused`,
`blocked_command`, `not_in_allowed_list`, `outside_allowed_hours`, `daily_limit_reached`,
`allowed`. A refusal other than `inactive` and `paused` turns into `approved_by_parent` while a
parent's approval holds.

`usage_limits` (all keys optional; see the README for the full shape):

- the seed's keys, meaning what they always meant: `daily_limit_minutes`,
  `allowed_hours` ([from, to] whole hours, from included, to excluded, from > to crosses
  midnight, to may be 24), `school_day_limit`, `weekend_limit`;
- `windows`: {"school_day": [["07:00", "08:15"], ...], "weekend": [...]} with minute
  resolution; when present it replaces `allowed_hours` (which then is a conservative
  summary for clients that only know the seed's keys); a day type without windows has no
  hour restriction;
- `pause`: {"since": ISO time, "until": ISO time or null (until resumed)}.

A window belongs to the local day it starts on: a Friday window 21:00-07:00 runs to
Saturday 07:00. "Weekend" means every day that is not a school day: Saturdays, Sundays,
public holidays of the family's country and the family's own holiday ranges.

Where each part lives: `commands` (matching a command against the lists), `limits` (reading,
building and checking `usage_limits`: limits, hours, windows, pause), `calendar` (school days,
weekends, holidays), `decision` (`policy_decide`, its inputs and its wording), `in_force` (the
rules in force on a past day, from the change history). Import from here.
"""

from parental.rules.calendar import (
    COUNTRY_SETTING,
    HOLIDAYS_SETTING,
    DayType,
    FamilyCalendar,
    FamilyHoliday,
    calendar_settings,
    country_is_known,
    family_calendar,
    public_holiday_name,
)
from parental.rules.commands import command_matches, command_normalize
from parental.rules.decision import (
    REFUSED_ERROR_TYPE,
    Decision,
    PolicyInputs,
    Reason,
    allowed_rule,
    allowed_spans,
    hours_rule,
    limit_rule,
    policy_decide,
    policy_inputs,
    refusal_metadata,
)
from parental.rules.in_force import RulesInForce, ValueHistory
from parental.rules.limits import (
    ALLOWED_HOURS,
    DAILY_LIMIT,
    LIMIT_LABELS,
    MAX_COMMAND_LENGTH,
    MAX_COMMANDS,
    MAX_PAUSE_MINUTES,
    MAX_WINDOWS_PER_DAY,
    PAUSE,
    SCHOOL_DAY_LIMIT,
    SEED_KEYS,
    USAGE_LIMITS_KEYS,
    WEEKEND_LIMIT,
    WINDOW_FIELDS,
    WINDOWS,
    ParentalControls,
    Pause,
    Window,
    allowed_hours_summary,
    clock_minutes,
    command_list_clean,
    controls_of,
    limit_problem,
    minutes_label,
    usage_limits_build,
    windows_problems,
)

__all__ = [
    "ALLOWED_HOURS", "COUNTRY_SETTING", "DAILY_LIMIT", "HOLIDAYS_SETTING", "LIMIT_LABELS", "MAX_COMMANDS",
    "MAX_COMMAND_LENGTH", "MAX_PAUSE_MINUTES", "MAX_WINDOWS_PER_DAY", "PAUSE", "REFUSED_ERROR_TYPE",
    "SCHOOL_DAY_LIMIT", "SEED_KEYS", "USAGE_LIMITS_KEYS", "WEEKEND_LIMIT", "WINDOWS", "WINDOW_FIELDS", "DayType",
    "Decision", "FamilyCalendar", "FamilyHoliday", "ParentalControls", "Pause", "PolicyInputs", "Reason",
    "RulesInForce", "ValueHistory", "Window", "allowed_hours_summary", "allowed_rule", "allowed_spans",
    "calendar_settings", "clock_minutes", "command_list_clean",
    "command_matches", "command_normalize", "controls_of", "country_is_known", "family_calendar", "hours_rule",
    "limit_problem", "limit_rule", "minutes_label", "policy_decide", "policy_inputs", "public_holiday_name",
    "refusal_metadata", "usage_limits_build", "windows_problems",
]  # fmt: skip
