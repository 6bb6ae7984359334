"""Matching commands: how a spoken command is compared with the allowed and blocked lists."""

from __future__ import annotations

import functools
import re
import unicodedata

_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NOT_A_WORD = re.compile(r"[^\w*]+|_+")
_WILDCARD = re.compile(r"\s*\*\s*")


def command_normalize(text: str) -> str:
    """The text a command is matched by: words of letters and digits, lowercase, one space apart.

    Unicode is folded (NFKC, casefold); apostrophes vanish ("what's" is "whats"); every
    other run of characters that are not letters or digits (punctuation, underscores,
    spaces) is one space. So `play_music`, "Play music!" and " PLAY   music " are all
    "play music". A `*` stays as a word of its own: the wildcard of a list entry.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _WILDCARD.sub(" * ", text)
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=4096)
def _entry_pattern(entry: str, *, anywhere: bool) -> re.Pattern | None:
    words = command_normalize(entry).split()
    if not words:
        return None
    parts = [r"(?:\S+(?: \S+)*)?" if word == "*" else re.escape(word) for word in words]
    # Join with optional spaces around a wildcard, so "play * music" matches "play music".
    body = ""
    for index, part in enumerate(parts):
        if index:
            body += " ?" if "*" in (words[index], words[index - 1]) else " "
        body += part
    if anywhere:
        return re.compile(rf"(?:^| ){body}(?: |$)")
    return re.compile(rf"^{body}$")


def command_matches(entry: str, command: str, *, anywhere: bool) -> bool:
    """Whether a list entry matches a command, both normalised (see `command_normalize`).

    An allowed-list entry must match the whole command (`anywhere=False`): "play music"
    allows "Play music!" but not "Play some music!" nor "play music and unlock the door".
    A blocked-list entry matches any run of whole words of the command (`anywhere=True`):
    "buy" blocks "Buy me a game" but not "goodbye". In both lists `*` stands for any
    words, none included: "play * music" allows "play some music" and "play music".
    """
    pattern = _entry_pattern(entry, anywhere=anywhere)
    if pattern is None:
        return False
    return pattern.search(command_normalize(command)) is not None


def first_match(entries, command: str, *, anywhere: bool) -> str | None:
    normalized = command_normalize(command)
    for entry in entries or ():
        pattern = _entry_pattern(entry, anywhere=anywhere)
        if pattern is not None and pattern.search(normalized):
            return entry
    return None
