"""Who the sample family is: its members, logins, quick actions and settings, as the README documents them.

`household.samples` loads them and makes up their three weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from household.command_catalog import PARENTAL_CONTROLS, VOICES
from profiles.models import PermissionLevel, ResponseMode

SAMPLE_MARKER = {"sample": True}
SAMPLE_PIN = "1234"  # Alex's parental-control PIN, documented in the README
SAMPLE_SEED = 20_24
SAMPLE_DAYS = 21
LIMIT_DAY_OFFSET = 3  # Alex used up the day's allowance three days ago


@dataclass(frozen=True)
class SampleMember:
    name: str
    permission_level: str
    voice_id: str | None
    preferred_agent: str
    response_mode: str
    settings: dict
    allowed_commands: list[str] | None = None
    blocked_commands: list[str] | None = None
    usage_limits: dict = field(default_factory=dict)
    pin: str | None = None
    username: str | None = None  # sample login, with SAMPLE_PASSWORDS[username]
    visits_only: bool = False  # a guest comes on weekends only

    def profile_fields(self) -> dict:
        names = ("permission_level", "voice_id", "preferred_agent", "response_mode", "usage_limits")
        return {
            **{name: getattr(self, name) for name in (*names, "allowed_commands", "blocked_commands")},
            "settings": {**self.settings, **SAMPLE_MARKER},
            "is_active": True,
        }


# Sign-in passwords of the sample logins: for trying the app only, documented in the README.
SAMPLE_PASSWORDS = {
    "dad": "tonny-sample-dad",
    "mom": "tonny-sample-mom",
    "alex": "tonny-sample-alex",
}

# Alex (PIN 1234) and the Guest have the parental controls of their role; their history follows them.
SAMPLE_MEMBERS: tuple[SampleMember, ...] = (
    SampleMember("Dad", PermissionLevel.ADMIN, VOICES["Adam"], "home_assistant", ResponseMode.BOTH,
                 {"wake_word": "hey tonny", "language": "en", "theme": "dark",
                  "notifications": {"daily_summary": True, "system_alerts": True}}, username="dad"),
    SampleMember("Mom", PermissionLevel.USER, VOICES["Rachel"], "family_assistant", ResponseMode.VOICE_ONLY,
                 {"wake_word": "hey tonny", "language": "en", "theme": "light",
                  "notifications": {"reminders": True, "daily_summary": False}}, username="mom"),
    SampleMember("Alex", PermissionLevel.KID, VOICES["Elli"], "kids_helper", ResponseMode.VOICE_ONLY,
                 {"wake_word": "hey tonny", "language": "en", "content_filter": "strict", "bedtime": "21:00"},
                 **PARENTAL_CONTROLS["kid"], pin=SAMPLE_PIN, username="alex"),
    SampleMember("Guest", PermissionLevel.GUEST, None, "guest_assistant", ResponseMode.TEXT_ONLY,
                 {"language": "en", "theme": "system"}, **PARENTAL_CONTROLS["guest"], visits_only=True),
)  # fmt: skip


@dataclass(frozen=True)
class SampleQuickAction:
    id: str
    display_name: str
    icon: str
    command_sequence: list[str]
    description: str
    required_permission: str
    category: str

    def fields(self) -> dict:
        names = ("display_name", "icon", "command_sequence", "description", "required_permission")
        return {
            **{name: getattr(self, name) for name in names},
            "is_enabled": True,
            "metadata": {"category": self.category, **SAMPLE_MARKER},
        }


SAMPLE_QUICK_ACTIONS: tuple[SampleQuickAction, ...] = (
    SampleQuickAction("good_morning", "Good Morning", "🌅",
                      ["turn on the kitchen lights", "what's the weather today", "what's on my calendar today",
                       "what's the news"],
                      "Lights on, then the weather, the day's calendar and the headlines.", PermissionLevel.USER,
                      "routines"),
    SampleQuickAction("goodnight", "Goodnight", "🌙",
                      ["turn off all the lights", "lock the front door", "set the thermostat to 18 degrees",
                       "arm the alarm"],
                      "Lights off, doors locked, heating down and the alarm on.", PermissionLevel.KID, "routines"),
    SampleQuickAction("movie_time", "Movie Time", "🎬",
                      ["dim the living room lights to 10 percent", "turn on the tv", "pause the music"],
                      "Dim the living room and start the TV.", PermissionLevel.KID, "entertainment"),
    SampleQuickAction("im_home", "I'm Home", "🏠",
                      ["turn on the hallway lights", "set the thermostat to 21 degrees", "play my chill playlist"],
                      "Welcome home: hallway lights, warm house, favourite music.", PermissionLevel.USER, "presence"),
    SampleQuickAction("dinner_time", "Dinner Time", "🍽️",
                      ["turn on the dining room lights", "put on some jazz for dinner", "announce dinner is ready"],
                      "Dining lights, dinner music and a call to the table.", PermissionLevel.USER, "family"),
)  # fmt: skip

_URL_SCHEMA = {"type": "string", "pattern": "^(https?|wss?)://[^\\s]+$"}
_DEVICE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200}
_HOTKEY_SCHEMA = {"type": "string", "pattern": "^((Ctrl|Shift|Alt|Super)\\+)*[A-Za-z0-9]+$"}

# (key, value, category, description, is_sensitive, validation_schema); the default is the sample value.
# The keys are the ones the tray reads; telemetry 0006 renamed older ones on existing databases.
SAMPLE_SETTINGS: tuple[tuple, ...] = (
    ("server.url", "ws://localhost:8888/asr", "server", "WhisperLiveKit server the tray streams audio to", False,
     _URL_SCHEMA),
    ("server.model", "base", "server", "Whisper model the server loads", False,
     {"type": "string", "enum": ["tiny", "base", "small", "medium", "large-v3"]}),
    ("server.language", "en", "server", "Language of transcription (ISO 639-1 code)", False,
     {"type": "string", "pattern": "^[a-z]{2}$"}),
    ("server.auto_start", True, "server", "Start the server when the tray starts", False, {"type": "boolean"}),
    ("n8n.webhook_url", "http://localhost:5678/webhook/tonnytray", "n8n", "n8n webhook that receives each command",
     False, _URL_SCHEMA),
    ("elevenlabs.api_key", "sample-placeholder-not-a-real-key", "elevenlabs",
     "ElevenLabs API key for spoken answers (sample placeholder: replace it with your own)", True,
     {"type": "string", "maxLength": 200}),
    ("elevenlabs.default_voice_id", VOICES["Rachel"], "elevenlabs", "Voice for members without a voice of their own",
     False, {"type": "string", "pattern": "^[A-Za-z0-9]{20}$"}),
    ("ui.theme", "system", "ui", "Colour theme of the tray window", False,
     {"type": "string", "enum": ["light", "dark", "system"]}),
    ("ui.notification_position", "top-right", "ui", "Corner where notifications appear", False,
     {"type": "string", "enum": ["top-left", "top-right", "bottom-left", "bottom-right"]}),
    ("audio.input_device", "default", "audio", "Microphone the tray listens on", False, _DEVICE_SCHEMA),
    ("audio.output_device", "default", "audio", "Speaker for spoken answers", False, _DEVICE_SCHEMA),
    ("audio.vad_sensitivity", 0.5, "audio", "Voice activity detection sensitivity, 0 (deaf) to 1 (jumpy)", False,
     {"type": "number", "minimum": 0, "maximum": 1}),
    ("hotkeys.push_to_talk", "Ctrl+Shift+Space", "hotkeys", "Hold to talk without the wake word", False,
     _HOTKEY_SCHEMA),
    ("hotkeys.toggle_recording", "Ctrl+Shift+R", "hotkeys", "Start or stop listening", False, _HOTKEY_SCHEMA),
    ("privacy.log_commands", True, "privacy", "Keep the activity log of voice commands", False,
     {"type": "boolean"}),
    ("privacy.log_retention_days", 90, "privacy", "Days the activity log is kept", False,
     {"type": "integer", "minimum": 1, "maximum": 3650}),
)  # fmt: skip
