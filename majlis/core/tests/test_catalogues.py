"""The French, Spanish and Arabic catalogues hold every string of the code,
translated and not fuzzy, and the compiled catalogues match them."""

import gettext
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "majlis" / "locale"
LANGUAGES = ["fr", "es", "ar"]
# The same exclusions as `make messages`.
IGNORED = [
    ".venv",
    "data",
    "node_modules",
    "*/tests/*",
    "bench/*",
    "*/testing/*",
    "*/web_tests/*",
]


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """The catalogues as makemessages would leave them now: the committed
    translations merged with every string the code holds today. makemessages
    writes next to the sources it reads, so it runs on a copy of them."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (scripts/install-system-deps installs it)")
    copy = tmp_path_factory.mktemp("sources")
    shutil.copytree(
        ROOT / "majlis", copy / "majlis", ignore=shutil.ignore_patterns("__pycache__")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        call_command(
            "makemessages",
            locale=LANGUAGES,
            ignore_patterns=IGNORED,
            no_location=True,
            verbosity=0,
        )
    return copy / "majlis" / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(fresh_catalogues, language):
    catalogue = polib.pofile(
        str(fresh_catalogues / language / "LC_MESSAGES" / "django.po")
    )
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries() if entry.msgid]
    assert untranslated == [], f"{language}: run `make messages` and translate these"
    assert fuzzy == [], f"{language}: check and unflag these"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    source = polib.pofile(str(folder / "django.po"))
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in source.translated_entries():
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                key = (f"{entry.msgctxt}\x04" if entry.msgctxt else "") + entry.msgid
                assert compiled._catalog[(key, int(index))] == text, entry.msgid  # type: ignore[attr-defined]
        else:
            key = (f"{entry.msgctxt}\x04" if entry.msgctxt else "") + entry.msgid
            assert compiled._catalog[key] == entry.msgstr, (
                f"{language}: run `make messages` to compile {entry.msgid!r}"
            )


@pytest.mark.parametrize("language", ["ar"])
def test_arabic_has_its_six_plural_forms(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert "nplurals=6" in catalogue.metadata["Plural-Forms"]
    for entry in catalogue:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1, 2, 3, 4, 5], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid
