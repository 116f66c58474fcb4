"""The rate limiter, on both of its stores: process memory, and the real Redis
that MAJLIS_REDIS_URL names (127.0.0.1:6379 by default; unreachable fails
these tests, it never skips them: scripts/ensure-services starts it)."""

import os
import time
import uuid

import pytest
import redis
from django.test import RequestFactory, override_settings

from majlis.core.exceptions import TooManyRequests
from majlis.core.ratelimit import (
    Limit,
    Limiter,
    MemoryStore,
    Rate,
    RedisStore,
    client_address,
)

REDIS_URL = os.environ.get("MAJLIS_REDIS_URL") or "redis://127.0.0.1:6379/0"
LIMIT = Limit("test", "MAJLIS_TEST_LIMIT")


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own on the real Redis, removed afterwards."""
    prefix = f"majlis-test-limits-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # an unreachable Redis fails the test
    yield prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request):
    """Limiters on one store, as several servers would share it."""
    if request.param == "memory":
        store = MemoryStore()
        prefix = ""
    else:
        store = RedisStore(REDIS_URL)
        prefix = request.getfixturevalue("redis_prefix")

    def make(clock):
        return Limiter(store, prefix=prefix, clock=clock)

    return make


def hits(limiter, identity="someone", count=1):
    refused = []
    for _ in range(count):
        try:
            limiter.hit(LIMIT, identity)
        except TooManyRequests as error:
            refused.append(error.retry_after)
    return refused


@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_a_limit_refuses_past_its_count_and_says_when_to_come_back(make_limiter):
    clock = Clock()
    limiter = make_limiter(clock)
    assert hits(limiter, count=5) == []
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit(LIMIT, "someone")
    assert refused.value.http_status == 429
    assert refused.value.code == "too_many_requests"
    assert 1 <= refused.value.retry_after <= 120
    assert refused.value.as_answer()["error"]["details"] == {
        "retry_after": refused.value.retry_after
    }
    assert hits(limiter, identity="someone else", count=5) == []


@pytest.mark.parametrize(
    ("start", "first", "later", "gap"),
    [(17, 5, 0, 40), (50, 3, 2, 20), (5, 2, 3, 70), (59, 5, 0, 1)],
)
@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_a_limit_fits_again_exactly_when_retry_after_says(
    make_limiter, start, first, later, gap
):
    clock = Clock(1_000_020.0 + start)  # 1_000_020 starts a window
    limiter = make_limiter(clock)
    hits(limiter, count=first)
    clock.now += gap
    hits(limiter, count=later)
    hits(limiter, count=10)  # the rest refused, not counted
    [wait] = hits(limiter)
    clock.now += wait - 1
    assert hits(limiter) != [], "not a second before Retry-After"
    clock.now += 1
    assert hits(limiter) == []


@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_a_limit_is_whole_again_after_its_window(make_limiter):
    clock = Clock()
    limiter = make_limiter(clock)
    hits(limiter, count=5)
    assert hits(limiter) != []
    clock.now += 121
    assert hits(limiter, count=5) == []


@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_refused_tries_do_not_count(make_limiter):
    clock = Clock()
    limiter = make_limiter(clock)
    hits(limiter, count=5)
    [first_wait] = hits(limiter)
    hits(limiter, count=50)
    [wait] = hits(limiter)
    assert wait <= first_wait


@override_settings(MAJLIS_TEST_LIMIT="1/60s")
def test_once_a_period_is_exact():
    clock = Clock(1_000_020.0 + 50)  # late in a window
    limiter = Limiter(MemoryStore(), clock=clock)
    assert hits(limiter) == []
    clock.now += 30
    assert hits(limiter) == [30]
    clock.now += 30
    assert hits(limiter) == []


@override_settings(MAJLIS_TEST_LIMIT="1/1s")
def test_once_a_period_on_redis(redis_prefix):
    """Redis keeps the time of a once-a-period hold itself: a real second."""
    limiter = Limiter(RedisStore(REDIS_URL), prefix=redis_prefix)
    assert hits(limiter) == []
    assert hits(limiter) == [1]
    time.sleep(1.05)
    assert hits(limiter) == []


@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_servers_sharing_a_store_share_the_count(make_limiter):
    clock = Clock()
    first, second = make_limiter(clock), make_limiter(clock)
    hits(first, count=3)
    hits(second, count=2)
    assert hits(first) != []
    assert hits(second) != []


@override_settings(MAJLIS_TEST_LIMIT="5/60s", MAJLIS_OTHER_LIMIT="2/60s")
def test_hit_all_counts_against_every_limit_or_none(make_limiter):
    other = Limit("other", "MAJLIS_OTHER_LIMIT")
    limiter = make_limiter(Clock())
    both = [(LIMIT, "someone", None), (other, "someone", None)]
    limiter.hit_all(both)
    limiter.hit_all(both)
    with pytest.raises(TooManyRequests):
        limiter.hit_all(both)
    # The refused call took back what it had counted against the first limit.
    assert hits(limiter, count=3) == []
    assert hits(limiter) != []


@override_settings(MAJLIS_TEST_LIMIT="5/60s")
def test_clear_and_refund_give_back(make_limiter):
    limiter = make_limiter(Clock())
    counted = [limiter.hit(LIMIT, "someone") for _ in range(5)]
    limiter.refund(counted[:2])
    assert hits(limiter, count=2) == []
    assert hits(limiter) != []
    limiter.clear(LIMIT, "someone")
    assert hits(limiter, count=5) == []


@override_settings(MAJLIS_TEST_LIMIT="off")
def test_a_limit_set_off_counts_nothing(make_limiter):
    assert hits(make_limiter(Clock()), count=100) == []


@override_settings(MAJLIS_TEST_LIMIT="2/60s")
def test_a_redis_that_fails_leaves_each_process_counting_for_itself(caplog):
    limiter = Limiter(RedisStore("redis://127.0.0.1:1/0"), clock=Clock())
    assert hits(limiter, count=2) == []
    assert hits(limiter) != []
    assert "the shared store failed" in caplog.text


def test_identities_are_kept_as_hashes(redis_prefix):
    client = redis.Redis.from_url(REDIS_URL)
    with override_settings(MAJLIS_TEST_LIMIT="5/60s"):
        Limiter(RedisStore(REDIS_URL), prefix=redis_prefix).hit(
            LIMIT, "amina@example.org"
        )
    keys = [k.decode() for k in client.scan_iter(f"{redis_prefix}*")]
    assert keys and not any("amina" in key for key in keys)


def test_rates_are_read_as_count_per_period():
    assert Rate.parse("20/1m") == Rate(20, 60)
    assert Rate.parse("5/15m") == Rate(5, 900)
    assert Rate.parse("3/10") == Rate(3, 10)
    assert Rate.parse("100/h") == Rate(100, 3600)
    assert Rate.parse("off") is None
    with pytest.raises(ValueError):
        Rate.parse("0/1m")


def test_the_client_address_is_the_peer_unless_a_proxy_is_trusted():
    factory = RequestFactory()
    forged = factory.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8"
    )
    assert client_address(forged) == "address:10.0.0.1"
    with override_settings(MAJLIS_BEHIND_PROXY=True):
        assert client_address(forged) == "address:5.6.7.8"
    phone = factory.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    neighbour = factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert (
        client_address(phone)
        == client_address(neighbour)
        == ("address:2001:db8:1:2::/64")
    )
