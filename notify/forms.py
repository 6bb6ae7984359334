"""Forms of the Notifications page: boxes into values; notify.services checks and saves."""

from __future__ import annotations

from django import forms

from notify.models import NotificationKind


def kinds_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Send me",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ChannelAddForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        required=False,
        help_text="What you call it, e.g. “Dad's phone”. Blank: the service's name.",
    )
    # Typed hidden and never shown back (even when the form has an error): it holds the service's token.
    address = forms.CharField(
        label="Address",
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The Apprise address of your app: ntfy://your-topic, tgram://bot-token/chat-id, "
        "pover://user-key@app-token, mailto://user:password@example.com, json://host/path … "
        "It is stored encrypted and never shown again.",
    )
    kinds = kinds_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("kinds", list(NotificationKind.values))


class ChannelKindsForm(forms.Form):
    kinds = kinds_field()
