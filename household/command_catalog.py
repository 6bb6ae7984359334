"""What a family says to the assistant, and how each role uses it.

The vocabulary behind both the sample family (`household.samples`) and the synthetic
history (`household.generator`): command categories with their n8n workflow, phrases
and follow-ups, the ways a command fails, the devices and clients, and each role's
habits (what they ask for, at which hours, how often things go wrong). Plain data;
`household.simulation` turns it into days of commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from activity.models import CommandStatus
from parental.rules import REFUSED_ERROR_TYPE

N8N_BASE_URL = "http://localhost:5678/webhook"
AUDIO_DIRECTORY = "/var/lib/tonnytray/audio"
TRAY_AUDIO_URL = "http://localhost:8888/audio"

# ElevenLabs' public premade voices (ids as published in their voice library).
VOICES = {
    "Adam": "pNInz6obpgDQGcFmaJgB",
    "Rachel": "21m00Tcm4TlvDq8ikWAM",
    "Elli": "MF3mGyEYCl7XYWbV9V6O",
    "Josh": "TxGEqnHWrfWFTfGW9XjX",
    "Domi": "AZnzlk1XvdvUeBnXmlld",
    "Antoni": "ErXwobaYiN019PkySvjV",
}


@dataclass(frozen=True, eq=False)
class Phrase:
    said: str  # what Whisper hears (activity_logs.command_text, command_history.raw_transcription)
    normalized: str  # the intent the workflow receives (command_history.normalized_command)
    response: str  # what the assistant answers on success


@dataclass(frozen=True, eq=False)
class Category:
    name: str
    workflow: str  # n8n workflow id; its webhook is N8N_BASE_URL/<workflow>
    phrases: tuple[Phrase, ...]
    follow_ups: tuple[Phrase, ...] = ()  # second turns that only make sense after a phrase of this category
    typed: bool = False  # dictation: the answer is typed into an app instead of spoken

    @property
    def webhook_url(self) -> str:
        return f"{N8N_BASE_URL}/{self.workflow}"


def _categories(table: str) -> tuple[Category, ...]:
    """Categories from a table: a line "name workflow [typed]", then its phrases indented as
    "said | normalized | response", a follow-up marked "+ "."""
    categories: list[tuple[str, str, list, list, bool]] = []
    for line in table.strip().splitlines():
        if not line.startswith(" "):
            name, workflow, *typed = line.split()
            categories.append((name, workflow, [], [], bool(typed)))
            continue
        said, normalized, response = (part.strip() for part in line.split("|"))
        follow_up = said.startswith("+ ")
        categories[-1][3 if follow_up else 2].append(Phrase(said.removeprefix("+ "), normalized, response))
    return tuple(Category(name, flow, tuple(said), tuple(more), typed) for name, flow, said, more, typed in categories)


CATEGORIES = _categories(
    """
lights wf_lights
    turn on the kitchen lights | lights.on kitchen | The kitchen lights are on.
    turn off the living room lights | lights.off living_room | Living room lights are off.
    dim the living room lights to 30 percent | lights.dim living_room 30 | Dimmed to 30 percent.
    turn off all the lights | lights.off all | All the lights are off.
    turn on the porch light | lights.on porch | The porch light is on.
    switch on my bedroom light | lights.on bedroom | Your bedroom light is on.
    make the lights warmer | lights.color warm | Switched to a warm white.
    + a bit brighter | lights.brighter | A little brighter now.
    + and the hallway too | lights.on hallway | The hallway lights are on too.
    + never mind turn them off again | lights.off last | Turned them off again.
weather wf_weather
    what's the weather today | weather.today | Partly cloudy, 14 degrees, light wind.
    will it rain tomorrow | weather.rain tomorrow | A 60 percent chance of rain tomorrow afternoon.
    how cold is it outside | weather.temperature now | It's 8 degrees outside.
    do I need an umbrella | weather.rain today | Yes, showers are expected after four.
    what's the forecast for the weekend | weather.forecast weekend | Sunny Saturday, rain on Sunday.
    + and tomorrow | weather.tomorrow | Tomorrow looks dry, 16 degrees.
    + what about tonight | weather.tonight | Clear tonight, down to 5 degrees.
music wf_music
    play some music | music.play | Playing your mix.
    play my chill playlist | music.play playlist chill | Playing Chill Evening.
    play the frozen soundtrack | music.play album frozen | Playing the Frozen soundtrack.
    play something to dance to | music.play mood dance | Here's some dance music.
    put on some jazz for dinner | music.play genre jazz | Playing dinner jazz.
    skip this song | music.skip | Skipped.
    + louder | music.volume up | Volume up.
    + next song | music.skip | Next one.
    + pause the music | music.pause | Paused.
    + who sings this | music.now_playing | This is Dancing Queen by ABBA.
jokes wf_fun
    tell me a joke | fun.joke | Why did the scarecrow win an award? He was outstanding in his field.
    tell me a knock knock joke | fun.joke knock_knock | Knock knock. Who's there? Lettuce.
    tell me a dinosaur joke | fun.joke dinosaurs | What do you call a sleeping dinosaur? A dino-snore.
    make me laugh | fun.joke | I told my computer a joke about UDP. It didn't get it.
    + another one | fun.joke | What do you call cheese that isn't yours? Nacho cheese.
    + tell me another joke | fun.joke | Why can't a bicycle stand up? It's two tired.
timers wf_timers
    set a timer for ten minutes | timer.set 600 | Ten minute timer, starting now.
    set a pasta timer for eight minutes | timer.set 480 pasta | Pasta timer set for eight minutes.
    how much time is left on the timer | timer.remaining | Four minutes and twenty seconds left.
    cancel the timer | timer.cancel | Timer cancelled.
    + add two more minutes | timer.extend 120 | Added two minutes.
reminders wf_reminders
    remind me to call grandma at six | reminder.create 18:00 call grandma | I'll remind you at 6 pm.
    remind me to take out the trash tonight | reminder.create 20:00 trash | Reminder set for 8 pm.
    what are my reminders today | reminder.list today | You have two reminders today.
calendar wf_calendar
    what's on my calendar today | calendar.today | Dentist at 3 and soccer practice at 5.
    when is the dentist appointment | calendar.find dentist | Thursday at 3 pm.
    add soccer practice on saturday at ten | calendar.add saturday 10:00 soccer | Added for Saturday.
    + and tomorrow | calendar.tomorrow | Nothing tomorrow until the evening.
shopping wf_shopping
    add milk to the shopping list | shopping.add milk | Milk is on the list.
    add eggs and bread to the shopping list | shopping.add eggs bread | Added eggs and bread.
    what's on the shopping list | shopping.list | Milk, eggs, bread and apples.
    + and apples | shopping.add apples | Apples added.
thermostat wf_climate
    set the thermostat to 21 degrees | climate.set 21 | Heating set to 21 degrees.
    turn the heating down | climate.down | Turned down to 19 degrees.
    what's the temperature inside | climate.temperature | It's 20.5 degrees in the living room.
security wf_security
    lock the front door | security.lock front_door | The front door is locked.
    is the garage door closed | security.status garage | The garage door is closed.
    arm the alarm | security.arm | The alarm is armed.
news wf_news
    what's the news | news.headlines | Here are today's top three headlines.
    give me the morning headlines | news.headlines morning | Here's your morning briefing.
homework wf_kids_helper
    how do you spell necessary | homework.spell necessary | N E C E S S A R Y.
    what is seven times eight | homework.math 7*8 | Seven times eight is fifty-six.
    what's the capital of australia | homework.fact capital australia | Canberra.
    how many planets are there | homework.fact planets | There are eight planets.
    what does photosynthesis mean | homework.define photosynthesis | Plants making food from light.
    + can you explain that again | homework.repeat | Sure, here it is more slowly.
games wf_kids_helper
    tell me a story | fun.story | Once upon a time, a little fox found a glowing stone...
    let's play twenty questions | fun.game twenty_questions | I'm thinking of an animal.
    what sound does a giraffe make | fun.fact giraffe sound | Giraffes hum, mostly at night.
    + is it a lion | fun.game guess lion | Nope! Try again.
questions wf_assistant
    how far away is the moon | assistant.fact moon distance | About 384,000 kilometres.
    who invented the light bulb | assistant.fact light bulb | Usually credited to Thomas Edison.
    how long do I boil an egg | assistant.howto boil egg | About seven minutes for medium.
    + why | assistant.followup why | Because of how the heat reaches the middle.
dictation wf_dictation typed
    type see you at the meeting at three | dictation.type | Typed.
    type thanks I'll review it tonight | dictation.type | Typed.
    type running ten minutes late | dictation.type | Typed.
routines wf_routines
    good morning | routine.run good_morning | Good morning! Lights on, here's your day.
    goodnight | routine.run goodnight | Goodnight. Lights off and doors locked.
    movie time | routine.run movie_time | Enjoy the movie.
    I'm home | routine.run im_home | Welcome home!
    dinner time | routine.run dinner_time | Dinner is served, I've told everyone.
"""
)

CATEGORY_BY_NAME = {category.name: category for category in CATEGORIES}

# Routine phrases run the quick action of the same id.
QUICK_ACTION_BY_NORMALIZED = {
    phrase.normalized: phrase.normalized.split()[-1] for phrase in CATEGORY_BY_NAME["routines"].phrases
}


# A way a command goes wrong. error_type lands in activity_logs.metadata and so in usage_statistics.error_types.
@dataclass(frozen=True, eq=False)
class Failure:
    error_type: str
    status: str  # CommandStatus.FAILED or TIMEOUT
    message: str
    component: str
    event_type: str
    severity: str
    n8n_status_code: int | None  # None when n8n was never called
    response: str
    calls_n8n: bool
    calls_tts: bool


FAILURES: tuple[Failure, ...] = (
    Failure(
        "transcription", CommandStatus.FAILED, "Speech not recognized: confidence below 0.60", "whisper",
        "transcription_failed", "warning", None, "Sorry, I didn't catch that.", False, False,
    ),
    Failure(
        "n8n_error", CommandStatus.FAILED, "n8n workflow error: HTTP 500 from webhook", "n8n",
        "n8n_workflow_error", "error", 500, "Sorry, something went wrong.", True, False,
    ),
    Failure(
        "device_unreachable", CommandStatus.FAILED, "Device unreachable: no answer from the home hub", "n8n",
        "device_unreachable", "error", 502, "I couldn't reach that device.", True, False,
    ),
    Failure(
        "tts_error", CommandStatus.FAILED, "ElevenLabs error: quota exceeded (HTTP 429)", "elevenlabs",
        "tts_failed", "warning", 200, "", True, True,
    ),
    # A command the member's parental controls refuse: the policy's decision adds its reason, rule and answer.
    Failure(
        REFUSED_ERROR_TYPE, CommandStatus.FAILED, "Refused by parental controls", "parental_controls",
        "command_blocked", "info", None, "", False, False,
    ),
    Failure(
        "timeout", CommandStatus.TIMEOUT, "Timed out: n8n webhook did not answer within 10 s", "n8n",
        "n8n_timeout", "error", 504, "That's taking too long, please try again.", True, False,
    ),
)  # fmt: skip

FAILURE_BY_TYPE = {failure.error_type: failure for failure in FAILURES}
REFUSAL = FAILURE_BY_TYPE[REFUSED_ERROR_TYPE]

DEVICES = ("default_mic", "kitchen_speaker", "living_room_mic", "bedroom_mic", "headset", "phone_app")
# The Whisper model the tray loads for a member: the admin's machine runs the bigger one.
WHISPER_MODEL_BY_ROLE = {"admin": "small", "user": "base", "kid": "base", "guest": "base"}
AGENT_BY_ROLE = {
    "admin": "home_assistant",
    "user": "family_assistant",
    "kid": "kids_helper",
    "guest": "guest_assistant",
}
CLIENTS = (("1.4.2", "linux"), ("1.4.2", "windows"), ("1.4.1", "macos"), ("1.3.9", "android"))
TYPING_APPS = ("Slack", "Firefox", "VS Code", "Thunderbird")
SAID_PREFIXES = ("", "", "", "hey tonny ", "tonny ", "um ", "okay ")


@dataclass(frozen=True)
class RoleHabits:
    """How one role uses the assistant."""

    daily_commands: float  # mean finished commands on an ordinary weekday
    weekend_factor: float  # how much busier a Saturday or Sunday is
    categories: dict[str, float]  # category name -> weight
    hours: tuple[float, ...]  # 24 weights, local time: the daily rhythm
    devices: dict[str, float]
    failure_rate: float  # share of commands that fail or time out
    failures: dict[str, float]  # error_type -> weight among failures
    follow_up_rate: float  # chance that a command is a second turn of the one before


_PARENT_HOURS = (
    0.2, 0.1, 0.05, 0.05, 0.1, 0.6, 3, 6, 5, 2, 1.5, 1.5,  # 0-11 h
    2, 1.5, 1.2, 1.2, 1.8, 4, 5, 4.5, 3.5, 2.5, 1.2, 0.5,  # 12-23 h
)  # fmt: skip
_KID_HOURS = (0, 0, 0, 0, 0, 0, 0, 2.5, 2, 0.3, 0.2, 0.2, 0.8, 0.5, 0.8, 3.5, 4.5, 4, 3.5, 3, 2.6, 0, 0, 0)
_GUEST_HOURS = (0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1.5, 2, 2, 2, 1.5, 1.5, 1.5, 2, 2.5, 3, 3, 2.5, 1.5, 0.5, 0)

ROLE_HABITS: dict[str, RoleHabits] = {
    "admin": RoleHabits(
        daily_commands=14,
        weekend_factor=1.2,
        categories={
            "lights": 18, "weather": 12, "thermostat": 9, "security": 8, "news": 8, "music": 8, "calendar": 6,
            "reminders": 5, "timers": 5, "shopping": 3, "dictation": 7, "routines": 7, "questions": 4,
        },
        hours=_PARENT_HOURS,
        devices={"default_mic": 5, "kitchen_speaker": 3, "living_room_mic": 3, "headset": 3, "phone_app": 1},
        failure_rate=0.07,
        failures={"transcription": 3, "n8n_error": 2, "device_unreachable": 2, "tts_error": 1, "timeout": 2},
        follow_up_rate=0.15,
    ),
    "user": RoleHabits(
        daily_commands=12,
        weekend_factor=1.1,
        categories={
            "lights": 12, "weather": 12, "calendar": 12, "shopping": 12, "reminders": 10, "timers": 10, "music": 8,
            "news": 4, "dictation": 5, "routines": 7, "thermostat": 4, "questions": 4,
        },
        hours=_PARENT_HOURS,
        devices={"kitchen_speaker": 6, "living_room_mic": 3, "default_mic": 2, "phone_app": 2},
        failure_rate=0.06,
        failures={"transcription": 3, "n8n_error": 2, "device_unreachable": 1, "tts_error": 1, "timeout": 2},
        follow_up_rate=0.15,
    ),
    "kid": RoleHabits(
        daily_commands=9,
        weekend_factor=1.8,
        categories={
            "music": 25, "jokes": 20, "homework": 14, "games": 12, "questions": 9, "timers": 3, "weather": 4,
            "lights": 3, "routines": 3, "security": 1, "shopping": 1,
        },
        hours=_KID_HOURS,
        devices={"bedroom_mic": 6, "living_room_mic": 3, "phone_app": 2},
        failure_rate=0.07,
        failures={"transcription": 5, "n8n_error": 1, "timeout": 1},
        follow_up_rate=0.25,
    ),
    "guest": RoleHabits(
        daily_commands=4,
        weekend_factor=1.5,
        categories={
            "weather": 20, "music": 15, "lights": 15, "questions": 15, "jokes": 10, "timers": 10, "security": 2,
        },
        hours=_GUEST_HOURS,
        devices={"living_room_mic": 4, "kitchen_speaker": 2},
        failure_rate=0.07,
        failures={"transcription": 4, "n8n_error": 1, "timeout": 1},
        follow_up_rate=0.1,
    ),
}  # fmt: skip

# Commands in flight when the tray stopped: they stay pending/processing forever and count nowhere.
STUCK_RATE = 0.003

# A kid's parental-control limits: an hour a day between 7 and 21 h, less on school days, more at weekends.
KID_USAGE_LIMITS = {"daily_limit_minutes": 60, "allowed_hours": [7, 21], "school_day_limit": 30, "weekend_limit": 90}
# The parental controls of the sample Alex and Guest and of every generated kid and guest. An allowed entry
# must match the whole command, so most start with `*`: what comes before it ("hey tonny", "um") is allowed too.
PARENTAL_CONTROLS = {
    "kid": {
        "allowed_commands": [
            "* play *", "* put on *", "* skip this song", "* next song", "* louder", "* pause the music",
            "* tell me *", "* make me laugh", "* another one", "* what *", "* how *", "* who *", "* why",
            "* can you explain that again", "* is it a *", "* set a timer *", "* switch on my bedroom light",
            "* good morning", "* goodnight",
        ],
        "blocked_commands": ["front door", "garage", "alarm", "thermostat", "shopping list", "order", "buy"],
        "usage_limits": KID_USAGE_LIMITS,
    },
    "guest": {
        "allowed_commands": [
            "* weather *", "* rain *", "* play *", "* music", "* turn on the *", "* set a timer *", "* joke *",
            "* how *", "* who *",
        ],
        "blocked_commands": ["front door", "alarm", "shopping list", "calendar", "reminders"],
        "usage_limits": {"daily_limit_minutes": 30},
    },
}  # fmt: skip

# The tray's own events of every day: (hour, spread in seconds, type, severity, component, message, metadata).
DAILY_EVENTS = (
    (3, 600, "backup_completed", "info", "database", "Nightly backup completed", {}),
    (6, 300, "server_started", "info", "server", "WhisperLiveKit server started", {}),
    (6.1, 60, "model_loaded", "info", "whisper", "Whisper model loaded", {"model": "base"}),
    *((hour, 60, "health_check", "debug", "server", "Health check passed", {"ok": True}) for hour in (0, 6, 12, 18)),
)
# About one day in three, n8n is slow for a while: (type, severity, component, message, metadata).
SLOW_N8N_EVENT = ("high_latency", "warning", "n8n", "n8n answers slower than 3 s", {"p95_ms": 3400})
SLOW_N8N_RATE = 0.3
