"""Every setting the sample family brings says its rule in a sentence on the settings page."""

import pytest

from household.sample_family import SAMPLE_SETTINGS
from telemetry.setting_fields import schema_words


@pytest.mark.parametrize("key, value, category, description, sensitive, schema", SAMPLE_SETTINGS)
def test_every_sample_setting_schema_has_a_sentence(key, value, category, description, sensitive, schema):
    assert schema_words(schema).endswith(".")
