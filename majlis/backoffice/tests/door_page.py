"""The door page as its reader sees it: the text of the result at the top, of
each delegate matched by a search, of each one still to arrive, and of the
whole page, tags taken off and spaces collapsed."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "path", "circle"}


def _words(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


@dataclass
class DoorPage:
    result: str = ""
    matches: list[str] = field(default_factory=list)
    to_arrive: list[str] = field(default_factory=list)
    text: str = ""
    release: str = ""

    def match(self, name: str) -> str:
        """The one match that names ``name``."""
        (found,) = [item for item in self.matches if name in item]
        return found


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []  # what each open element is, for the page
        self.parts: dict[str, list[str]] = {"page": [], "result": [], "release": []}
        self.items: dict[str, list[list[str]]] = {"matches": [], "arrivals": []}
        self.section = ""
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        role = ""
        if found.get("id") == "door-result":
            role = "result"
        elif "door-release" in classes:
            role = "release"
        elif found.get("aria-labelledby") == "matches-heading":
            role = "matches"
        elif "door-to-arrive" in classes:
            role = "arrivals"
        elif "door-person" in classes:
            role = "person"
            self.items[self.section].append([])
        if role in ("matches", "arrivals"):
            self.section = role
        if tag in ("head", "script"):
            self.in_head = True
        self.stack.append(role)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        if tag in ("head", "script"):
            self.in_head = False
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_head:
            return
        self.parts["page"].append(data)
        for role in ("result", "release"):
            if role in self.stack:
                self.parts[role].append(data)
        if "person" in self.stack:
            self.items[self.section][-1].append(data)


def read_door(html: str | bytes) -> DoorPage:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return DoorPage(
        result=_words(reader.parts["result"]),
        matches=[_words(item) for item in reader.items["matches"]],
        to_arrive=[_words(item) for item in reader.items["arrivals"]],
        text=_words(reader.parts["page"]),
        release=_words(reader.parts["release"]),
    )
