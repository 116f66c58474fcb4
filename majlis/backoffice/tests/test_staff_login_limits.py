"""Staff sign-in (back office and admin) under its rate limits: an attacker's
wrong passwords lock out the attacker's place, never the staff member's
others (majlis/backoffice/login.py)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from majlis.backoffice.login import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"
VENUE = "192.0.2.1"


def login_url(lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("backoffice:login")


@pytest.fixture
def organiser():
    return User.objects.create_user(
        "Organiser", password="the-right-password", is_staff=True
    )


def try_password(client: Client, password: str, username: str = "Organiser", url=""):
    return client.post(url or login_url(), {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302


def test_five_wrong_passwords_lock_the_attackers_address_out_of_the_account(
    organiser, rate_limit_clock
):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    answers = [try_password(attacker, f"guess-{n}").status_code for n in range(5)]
    assert answers == [200] * 5

    refused = try_password(attacker, "the-right-password")

    assert refused.status_code == 429, "even the right password waits"
    assert 1 <= int(refused["Retry-After"]) <= 18 * 60
    assertContains(refused, "Too many sign-in attempts", status_code=429)
    rate_limit_clock.advance(int(refused["Retry-After"]))
    assert signed_in(try_password(attacker, "the-right-password"))


def test_the_locked_out_account_signs_in_from_another_address(organiser):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for number in range(50):
        try_password(attacker, f"guess-{number}")
    assert try_password(attacker, "guess-51").status_code == 429

    assert signed_in(try_password(Client(REMOTE_ADDR=OFFICE), "the-right-password"))


def test_a_browser_known_for_the_account_signs_in_beside_the_attacker(organiser):
    """At the venue, the attacker may share the staff member's address."""
    own = Client(REMOTE_ADDR=VENUE)
    assert signed_in(try_password(own, "the-right-password"))
    assert DEVICE_COOKIE in own.cookies
    own.post(reverse("backoffice:logout"))
    attacker = Client(REMOTE_ADDR=VENUE)
    for number in range(10):
        try_password(attacker, f"guess-{number}")
    assert try_password(attacker, "the-right-password").status_code == 429

    assert signed_in(try_password(own, "the-right-password"))


@override_settings(MAJLIS_LIMIT_STAFF_LOGIN_ACCOUNT="10/15m")
def test_guesses_from_many_addresses_slow_the_account_but_not_a_known_browser(
    organiser, rate_limit_clock
):
    own = Client(REMOTE_ADDR=OFFICE)
    assert signed_in(try_password(own, "the-right-password"))
    for number in range(12):
        try_password(Client(REMOTE_ADDR=f"203.0.113.{number}"), "guess")

    newcomer = try_password(Client(REMOTE_ADDR="198.51.100.99"), "the-right-password")

    assert newcomer.status_code == 429
    assert signed_in(try_password(own, "the-right-password"))
    rate_limit_clock.advance(int(newcomer["Retry-After"]))
    assert signed_in(
        try_password(Client(REMOTE_ADDR="198.51.100.99"), "the-right-password")
    )


@override_settings(MAJLIS_LIMIT_STAFF_LOGIN_ADDRESS="10/15m")
def test_one_address_trying_many_accounts_is_held_back(organiser):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for number in range(10):
        try_password(attacker, "123456", username=f"user{number}")
    refused = try_password(attacker, "the-right-password")
    assert refused.status_code == 429
    assert signed_in(try_password(Client(REMOTE_ADDR=OFFICE), "the-right-password"))


def test_a_success_forgets_the_typos_before_it(organiser):
    own = Client(REMOTE_ADDR=OFFICE)
    for _ in range(3):
        for number in range(4):
            try_password(own, f"typo-{number}")
        assert signed_in(try_password(own, "the-right-password"))
        own.post(reverse("backoffice:logout"))


def test_the_admins_sign_in_is_held_by_the_same_limits(organiser):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for number in range(3):
        try_password(attacker, f"guess-{number}")
    for number in range(2):
        try_password(attacker, f"guess-{number}", url="/admin/login/")

    refused = try_password(attacker, "the-right-password", url="/admin/login/")

    assert refused.status_code == 429
    assert "Retry-After" in refused


def test_the_wait_page_speaks_the_pages_language(organiser):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for number in range(5):
        try_password(attacker, f"guess-{number}")
    refused = attacker.post(login_url("fr"), {"username": "Organiser", "password": "x"})
    assertContains(refused, "Trop de tentatives de connexion", status_code=429)


def test_a_forged_known_browser_cookie_is_ignored(organiser):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    attacker.cookies[DEVICE_COOKIE] = '{"d": "x", "u": ["organiser"]}'
    for number in range(5):
        try_password(attacker, f"guess-{number}")
    assert try_password(attacker, "guess-6").status_code == 429
