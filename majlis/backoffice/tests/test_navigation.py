"""Each role's navigation in the back office shows only the pages it may
open, and every link it shows opens."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from majlis.backoffice.models import StaffRole
from majlis.testing.factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

BASE = "/en/backoffice/casa/"
LINKS = {
    "door": {"Sessions": BASE},
    "organiser": {"Sessions": BASE, "Dashboard": BASE + "dashboard/"},
    "secretariat": {
        "Sessions": BASE,
        "Dashboard": BASE + "dashboard/",
        "Delegates": BASE + "delegates/",
        "Staff": BASE + "staff/",
        "Event settings": BASE + "settings/",
    },
}
# A page of each kind that each role may open: the links must not change.
PAGES = {
    "door": [BASE, BASE + "s/talk/check-in/"],
    "organiser": [BASE, BASE + "s/talk/check-in/", BASE + "s/talk/roster/"],
    "secretariat": [BASE, BASE + "s/talk/check-in/", BASE + "delegates/"],
}


class MainNavigation(HTMLParser):
    """The links of the page's main navigation, by their words."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.href: str | None = None
        self.links: dict[str, str] = {}
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav" and found.get("aria-label") == "Main":
            self.inside = True
        elif tag == "a" and self.inside:
            self.href = found.get("href")
            if found.get("aria-current") == "page":
                self.current.append(self.href or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.inside = False
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.href and data.strip():
            self.links[data.strip()] = self.href


def navigation(client: Client, path: str) -> MainNavigation:
    response = client.get(path)
    assert response.status_code == 200, path
    reader = MainNavigation()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def event():
    event = EventFactory(slug="casa")
    SessionFactory(event=event, code="talk")
    return event


def staff_client(event, role: str) -> Client:
    user = User.objects.create_user(role, f"{role}@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role=role).sessions.set(
        event.sessions.all()
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["door", "organiser", "secretariat"])
def test_each_role_sees_the_links_it_may_follow_and_each_one_opens(event, role):
    client = staff_client(event, role)
    for page in PAGES[role]:
        assert navigation(client, page).links == LINKS[role], page
    for url in LINKS[role].values():
        assert client.get(url).status_code == 200, url


def test_a_superuser_sees_every_link(event):
    admin = User.objects.create_superuser("root", "root@example.org", "pw-123-long")
    client = Client()
    client.force_login(admin)
    assert navigation(client, BASE).links == LINKS["secretariat"]


def test_the_link_of_the_page_shown_is_marked_current(event):
    client = staff_client(event, "organiser")
    assert navigation(client, BASE + "dashboard/").current == [BASE + "dashboard/"]
    assert navigation(client, BASE + "s/talk/check-in/").current == []


def test_the_delegates_pages_show_no_back_office_link(event, client):
    links = navigation(client, "/en/e/casa/").links
    assert "Dashboard" not in links and "Sessions" not in links
