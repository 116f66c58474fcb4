"""Every counted string takes the plural form its number calls for, in each
language: "1 no-show", never "1 no-shows"; in Arabic, six forms (zero, one,
two, few, many, other), so "منذ أكثر من 10 دقائق", never "10 دقيقة".

Each counted string of the templates is rendered by Django's template engine,
and each of the Python code through ngettext, at 0, 1, 2, 3, 11 and 100; the
text must be the form the catalogue holds at the index its own Plural-Forms
rule gives, and that rule must put each number in CLDR's category.
"""

import ast
import functools
import gettext
import re
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
NUMBERS = (0, 1, 2, 3, 11, 100)
LANGUAGES = ("en", "fr", "es", "ar")
# The index of the form each number takes, by CLDR's plural categories in the
# catalogues' order: Arabic zero, one, two, few (3-10), many (11-99), other;
# French one (0 and 1), other; English and Spanish one, other.
FORM_OF_NUMBERS = {
    "en": (1, 0, 1, 1, 1, 1),
    "es": (1, 0, 1, 1, 1, 1),
    "fr": (0, 0, 1, 1, 1, 1),
    "ar": (0, 1, 2, 3, 4, 5),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@functools.cache
def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def plural_rule(language: str):
    """The catalogue's own rule, as gettext applies it (English: Django's)."""
    if language == "en":
        return lambda n: int(n != 1)
    header = catalogue(language).metadata["Plural-Forms"]
    return gettext.c2py(re.search(r"plural=(.+?);?\s*$", header).group(1))


def expected_text(language: str, singular: str, plural: str, n: int, values: dict):
    if language == "en":
        form = singular if n == 1 else plural
    else:
        [entry] = [
            e
            for e in catalogue(language)
            if e.msgid == singular and e.msgid_plural == plural and not e.obsolete
        ]
        form = entry.msgstr_plural[plural_rule(language)(n)]
    return form % values


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_puts_each_number_in_its_cldr_category(language):
    rule = plural_rule(language)
    assert tuple(rule(n) for n in NUMBERS) == FORM_OF_NUMBERS[language]


# Counted strings of the templates


BLOCK = re.compile(
    # No tag inside a blocktranslate: a body never holds "{%".
    r"{%\s*blocktranslate\s+(?P<args>[^%]*?)\s*%}(?P<singular>(?:(?!{%).)*)"
    r"{%\s*plural\s*%}(?P<plural>(?:(?!{%).)*){%\s*endblocktranslate\s*%}",
    re.DOTALL,
)
ASSIGNMENT = re.compile(r"(\w+)=(\S+)")


def counted_blocks() -> list[tuple[str, str, str, str, list[str], bool]]:
    """(where, counter, singular, plural, other variables, trimmed) of every
    ``blocktranslate count`` in the templates."""
    found = []
    for path in sorted(ROOT.glob("*/templates/**/*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for block in BLOCK.finditer(path.read_text()):
            args = block["args"]
            counter = re.search(r"count\s+(\w+)=", args)
            assert counter, f"{path.name}: a plural without count"
            names = [n for n, _v in ASSIGNMENT.findall(args) if n != counter[1]]
            found.append(
                (
                    f"{path.relative_to(ROOT)}:{block['singular'][:40]!r}",
                    counter[1],
                    block["singular"],
                    block["plural"],
                    names,
                    "trimmed" in args.split(),
                )
            )
    return found


def as_msgid(text: str, trimmed: bool) -> str:
    if trimmed:
        text = " ".join(line.strip() for line in text.strip().splitlines())
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text.replace("%", "%%"))


BLOCKS = counted_blocks()


def test_the_templates_hold_counted_strings():
    assert len(BLOCKS) >= 10
    assert any("no-show" in b[2] for b in BLOCKS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("where", "counter", "singular", "plural", "names", "trimmed"),
    BLOCKS,
    ids=[b[0] for b in BLOCKS],
)
def test_each_counted_string_of_the_templates_renders_its_form(
    language, where, counter, singular, plural, names, trimmed
):
    tag = f"count {counter}=the_count"
    if names:
        tag = f"count {counter}=the_count with " + " ".join(
            f"{name}=value_of_{name}" for name in names
        )
    if trimmed:
        tag += " trimmed"
    template = Template(
        "{% load i18n %}{% blocktranslate "
        + tag
        + " %}"
        + singular
        + "{% plural %}"
        + plural
        + "{% endblocktranslate %}"
    )
    others = {name: f"«{name}»" for name in names}
    for n in NUMBERS:
        with translation.override(language):
            rendered = template.render(
                Context(
                    {"the_count": n, **{f"value_of_{k}": v for k, v in others.items()}}
                )
            )
        expected = expected_text(
            language,
            as_msgid(singular, trimmed),
            as_msgid(plural, trimmed),
            n,
            {counter: n, **others},
        )
        assert rendered == expected, (language, n)


# Counted strings of the Python code


def counted_calls() -> list[tuple[str, str, str]]:
    """(where, singular, plural) of every ngettext call with literal texts."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if {"tests", "migrations", "testing", "web_tests"} & set(parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in {"ngettext", "ngettext_lazy"}:
                continue
            singular, plural = node.args[0], node.args[1]
            assert isinstance(singular, ast.Constant) and isinstance(
                plural, ast.Constant
            ), f"{path}:{node.lineno}: ngettext of a text that is not literal"
            found.append(
                (
                    f"{path.relative_to(ROOT)}:{node.lineno}",
                    singular.value,
                    plural.value,
                )
            )
    return found


CALLS = counted_calls()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("where", "singular", "plural"), CALLS, ids=[c[0] for c in CALLS]
)
def test_each_counted_string_of_the_code_takes_its_form(
    language, where, singular, plural
):
    for n in NUMBERS:
        values = {
            name: n if name == "count" else f"«{name}»"
            for name in PLACEHOLDER.findall(singular + plural)
        }
        with translation.override(language):
            rendered = translation.ngettext(singular, plural, n) % values
        assert rendered == expected_text(language, singular, plural, n, values), (
            language,
            n,
        )


# No count outside ngettext

COUNTED_NOUNS = (
    r"seats|minutes|hours|days|delegates|people|sessions|bookings|messages|"
    r"recipients|characters|no-shows|participants"
)


def test_no_number_is_counted_without_ngettext():
    """A catalogue entry without plural forms puts no number before a counted
    noun: such a number goes through ngettext or blocktranslate count."""
    counted = re.compile(rf"%\(\w+\)[sd] (?:\w+ )?(?:{COUNTED_NOUNS})\b")
    offending = [
        entry.msgid
        for entry in catalogue("fr")
        if not entry.msgid_plural and not entry.obsolete and counted.search(entry.msgid)
    ]
    assert offending == []
