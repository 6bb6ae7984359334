"""The family's one way of writing days and times, on every page (settings.FORMAT_MODULE_PATH).

Django's English formats ("Dec. 3, 2026, 2:05 p.m.") win over DATE_FORMAT and friends in the settings
while USE_I18N is on, so the formats live here, where Django looks first. Templates write
`|date:"DATETIME_FORMAT"` (or SHORT_…, DATE_…, TIME_…), Python `date_format(value, "DATETIME_FORMAT")`,
never a pattern of their own. Times are shown in the family's zone (tonnysite.clock) as before.
"""

# Thu 3 Dec 2026 and Thu 3 Dec 2026, 14:05: the weekday helps a parent place a day; 24-hour clock.
DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"
# Within the year a page is about (this week's pauses, requests, jobs): Thu 3 Dec and Thu 3 Dec, 14:05.
SHORT_DATE_FORMAT = "D j M"
SHORT_DATETIME_FORMAT = "D j M, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
