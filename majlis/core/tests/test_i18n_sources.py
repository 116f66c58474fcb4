"""Every visible word of a template goes through gettext, and the style sheets
mirror themselves for right-to-left pages (logical properties only)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted(ROOT.glob("majlis/*/templates/**/*.html")) + sorted(
    ROOT.glob("majlis/*/templates/**/*.txt")
)
STYLESHEETS = sorted(ROOT.glob("majlis/*/static/**/*.css"))
# Names that are the same in every language.
UNTRANSLATED_NAMES = {"Majlis"}
VISIBLE_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "value"}
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

BLOCK_TRANSLATE = re.compile(
    r"{%\s*blocktranslate\b.*?%}.*?{%\s*endblocktranslate\s*%}", re.DOTALL
)
TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)


def without_django_markup(source: str) -> str:
    source = BLOCK_TRANSLATE.sub(" ", source)
    return TAG_OR_VARIABLE.sub(" ", source)


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip_depth += 1
        for name, value in attrs:
            if (
                name in VISIBLE_ATTRIBUTES
                and value
                and not (name == "value" and tag != "button")
            ):
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.found.append(data)


def untranslated_words(path: Path) -> list[str]:
    text = without_django_markup(path.read_text(encoding="utf-8"))
    if path.suffix == ".html":
        parser = VisibleText()
        parser.feed(text)
        pieces = parser.found
    else:
        pieces = [text]
    words = []
    for piece in pieces:
        for word in piece.split():
            if word.strip(".,;:()") in UNTRANSLATED_NAMES:
                continue
            if LETTER.search(word):
                words.append(word)
    return words


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_hold_no_text_outside_gettext(path):
    assert untranslated_words(path) == [], (
        f"{path}: wrap these words in {{% translate %}}"
    )


def test_the_template_check_finds_untranslated_words():
    sample = ROOT / "majlis" / "core" / "tests" / "_sample_for_check.html"
    sample.write_text(
        '{% load i18n %}<p>{% translate "Fine" %} Oops</p><img alt="Picture">', "utf-8"
    )
    try:
        assert untranslated_words(sample) == ["Oops", "Picture"]
    finally:
        sample.unlink()


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_style_sheets_use_logical_directions_only(path):
    css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    physical = re.findall(r"[\w-]*\b(?:left|right)\b[\w-]*", css)
    assert physical == [], f"{path}: use inline-start/end instead of {physical}"
