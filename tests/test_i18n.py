"""The UI strings: both languages say the same things, with the same placeholders."""

import string

import pytest

from pages import i18n


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_both_languages_have_the_same_keys():
    assert set(i18n.STRINGS) == set(i18n.LANGUAGES)
    assert set(i18n.STRINGS["en"]) == set(i18n.STRINGS["zh"])


@pytest.mark.parametrize("key", sorted(i18n.STRINGS["en"]))
def test_strings_are_filled_and_share_placeholders(key):
    english, chinese = i18n.STRINGS["en"][key], i18n.STRINGS["zh"][key]
    assert english.strip() and chinese.strip()
    assert placeholders(english) == placeholders(chinese)


def test_text_fills_values_and_falls_back_to_english():
    assert i18n.text("page_of", "en", pages=3) == "Page (of 3)"
    assert "3" in i18n.text("page_of", "zh", pages=3)
    assert i18n.text("nav_home", "fr") == i18n.text("nav_home", "en")
    with pytest.raises(KeyError):
        i18n.text("no such key")
