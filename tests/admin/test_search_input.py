"""Whatever a parent types into the search box, the admin answers 200 or a clear 400, never a 500."""

import pytest

from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory
from tests.admin.helpers import url
from tonnysite.familyadmin.search import SEARCH_MAX_CHARACTERS, SEARCH_MAX_WORDS, SearchPiece, search_terms_parse

pytestmark = pytest.mark.django_db

SEARCHED_LISTS = ("activity.activitylog", "activity.commandhistory", "activity.recentactivity")

HOSTILE = {
    "bangs": "!" * 150,
    "and-or": "&|" * 90,
    "parentheses": "(" * 150,
    "prefix operators": ":*" * 90,
    "phrase operators": "<-> <2> <-> " * 4,
    "a quote": "'",
    "quotes and words": "'lights' \"music' '",
    "backslashes": "\\\\ \\' lights\\",
    "operators between words": "lights & !music | (kitchen:* <-> 'x')",
    "only a dash": "-",
    "unclosed phrase": '"good night',
    "unicode": "café naïve 日本語 😀 Ωμέγα",
    "only stop words": "the and of to a",
    "excluded stop word": "-the",
    "only punctuation": "?!.,;:/",
    "control characters": "lights\x01\x7f\u200bmusic",
}


@pytest.mark.parametrize("model", SEARCHED_LISTS)
@pytest.mark.parametrize("term", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_search_text_answers_a_list(client_as, family, model, term):
    ActivityLogFactory(profile=family["kid"], command_text="turn on the lights")

    response = client_as("admin").get(url(model, "changelist"), {"q": term})

    assert response.status_code == 200


@pytest.mark.parametrize("model", SEARCHED_LISTS)
def test_a_nul_byte_in_the_search_answers_400_before_any_search(client_as, family, model):
    response = client_as("admin").get(url(model, "changelist"), {"q": "lights\x00music"})

    assert response.status_code == 400
    assert "NUL character" in response.text


@pytest.mark.parametrize(
    "term",
    ["lights " * 2_000, "x" * 200_000, "a" * 2_000, "ab " * 70, "light " * (SEARCH_MAX_WORDS + 1)],
    ids=["thousands of words", "200 kB", "a 2,000-character word", "many short words", "one word too many"],
)
@pytest.mark.parametrize("model", SEARCHED_LISTS)
def test_too_much_search_text_answers_400(client_as, family, model, term):
    response = client_as("admin").get(url(model, "changelist"), {"q": term})

    assert response.status_code == 400


def test_too_long_search_says_the_limit_and_the_length_typed():
    with pytest.raises(Exception, match=r"too long: at most 200 characters \(you typed 5,000\)"):
        search_terms_parse("x" * 5_000)


def test_too_many_words_says_the_limit_and_the_count_typed():
    with pytest.raises(Exception, match=r"too many words: at most 12 \(you typed 13\)"):
        search_terms_parse("light " * 13)


def test_search_at_the_limits_is_accepted(client_as, family):
    words = " ".join(["lights"] * SEARCH_MAX_WORDS)
    term = words + " " * (SEARCH_MAX_CHARACTERS - len(words))

    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": term})

    assert response.status_code == 200


def test_surrounding_spaces_do_not_count_towards_the_length(client_as, family):
    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": " " * 500 + "lights"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["activity.activitylog", "activity.commandhistory"])
def test_csv_export_of_a_too_long_search_answers_400(client_as, family, model):
    response = client_as("admin").get(url(model, "export"), {"q": "x" * 5_000})

    assert response.status_code == 400


@pytest.mark.parametrize("term", HOSTILE.values(), ids=HOSTILE.keys())
def test_csv_export_of_hostile_search_text_answers_csv(client_as, family, term):
    ActivityLogFactory(profile=family["kid"], command_text="turn on the lights")

    response = client_as("admin").get(url("activity.activitylog", "export"), {"q": term})

    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_csv_export_follows_the_search(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="lights on in the kitchen")
    ActivityLogFactory(profile=family["kid"], command_text="lights on in the garage")

    response = client_as("admin").get(url("activity.activitylog", "export"), {"q": "lights -garage"})

    text = b"".join(response.streaming_content).decode()
    assert "kitchen" in text
    assert "garage" not in text


def test_search_of_only_stop_words_finds_nothing(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="the lights")

    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": "the"})

    assert list(response.context["cl"].result_list) == []


def test_search_of_only_punctuation_finds_nothing(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="the lights")

    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": "!!!"})

    assert list(response.context["cl"].result_list) == []


def test_operator_characters_are_read_as_spaces(client_as, family):
    row = ActivityLogFactory(profile=family["kid"], command_text="lights and music")
    ActivityLogFactory(profile=family["kid"], command_text="lights only")

    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": "lights|!music"})

    assert list(response.context["cl"].result_list) == [row]


def test_command_history_search_of_a_phrase_covers_both_fields(client_as, family):
    row = CommandHistoryFactory(profile=family["kid"], command="music.play", raw_transcription="play good night songs")

    response = client_as("admin").get(url("activity.commandhistory", "changelist"), {"q": '"good night"'})

    assert list(response.context["cl"].result_list) == [row]


def test_parse_splits_words_phrases_and_exclusions():
    assert search_terms_parse('lights "good night" -kitchen -"living room"') == [
        SearchPiece(("lights",)),
        SearchPiece(("good", "night")),
        SearchPiece(("kitchen",), excluded=True),
        SearchPiece(("living", "room"), excluded=True),
    ]


def test_parse_keeps_only_letters_and_digits():
    assert search_terms_parse("l!ghts & (music:*) 'x' \\ 42") == [
        SearchPiece(("l",)),
        SearchPiece(("ghts",)),
        SearchPiece(("music",)),
        SearchPiece(("x",)),
        SearchPiece(("42",)),
    ]


def test_parse_reads_an_unclosed_quote_as_a_phrase_to_the_end():
    assert search_terms_parse('lights "good night') == [SearchPiece(("lights",)), SearchPiece(("good", "night"))]


def test_parse_reads_a_nul_byte_as_a_space():
    assert search_terms_parse("lights\x00music") == [SearchPiece(("lights",)), SearchPiece(("music",))]


def test_parse_excludes_a_token_of_several_words_as_a_phrase():
    assert search_terms_parse("-wi-fi") == [SearchPiece(("wi", "fi"), excluded=True)]


def test_parse_of_nothing_to_look_for_is_empty():
    assert search_terms_parse(" ((( !!! - \"\" '' ") == []
