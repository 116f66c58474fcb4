"""What a load balancer asks: is the process up, and does it reach its database."""

import pytest

from majlis.api.tests.helpers import API

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get(f"{API}/health/live")

    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_ready_reaches_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        answer = client.get(f"{API}/health/ready")

    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_ready_says_unavailable_when_the_database_fails(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken(*_args, **_kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(connection, "cursor", broken)
    answer = client.get(f"{API}/health/ready")

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert answer["Retry-After"] == "5"
