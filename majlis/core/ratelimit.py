"""Rate limits: how often one client, delegate or account may do something.

Each limit allows ``count`` actions per ``seconds``, counted as a sliding
window: the current fixed window's count plus the previous window's, weighted
by the share of it still inside the last ``seconds`` (the estimate assumes the
previous window's actions were spread evenly). A refused action is not
counted, so a client that keeps trying while refused is let in again as soon
as its window allows.

The counts live in Redis when ``MAJLIS_REDIS_URL`` is set, so that every
server process and machine shares them, and in this process's memory
otherwise. The rule is worked out here, once; a store only counts, atomically.
Identities (an address, an email, a username) are kept as keyed hashes, never
in clear. docs/SECURITY.md, "Rate limits", says which limits exist and why.
"""

import ipaddress
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from majlis.core.exceptions import TooManyRequests

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate | None":
        """``"20/1m"``: 20 per minute (units ``s``, ``m``, ``h``, ``d``; none
        means seconds); ``"off"`` or an empty text: no limit."""
        text = text.strip().lower()
        if text in ("", "off"):
            return None
        count, _slash, period = text.partition("/")
        period = period.strip()
        unit = _UNITS.get(period[-1:], 0)
        number = period[:-1] if unit else period
        seconds = int(number or 1) * (unit or 1)
        if int(count) < 1 or seconds < 1:
            raise ValueError(f"not a rate: {text!r}")
        return cls(int(count), seconds)


@dataclass(frozen=True)
class Limit:
    """A named limit whose rate is read from a setting at each use."""

    name: str
    setting: str

    def rate(self) -> Rate | None:
        return Rate.parse(str(getattr(settings, self.setting)))


@dataclass(frozen=True)
class Hit:
    """One counted action, which ``refund`` can take back."""

    limit: Limit
    key: str
    ttl: int


class Store(Protocol):
    def add(self, key: str, previous_key: str, ttl: int, now: float) -> tuple[int, int]:
        """Count one more under ``key`` (kept ``ttl`` seconds); the counts
        under ``previous_key`` and ``key``, the latter with this one."""
        ...

    def remove(self, key: str, ttl: int, now: float) -> None:
        """Count one less under ``key``."""
        ...

    def clear(self, keys: list[str]) -> None: ...

    def claim(self, key: str, ttl: float, now: float) -> float:
        """Hold ``key`` for ``ttl`` seconds if nobody holds it (0), else the
        seconds until it is free."""
        ...


class MemoryStore:
    """Counts in this process's memory, under one lock.

    Expired counts are swept when the store is full, never by a thread of its
    own: a sweep every few milliseconds over every key (as the ``limits``
    library's memory store does) cost 0.9 ms of CPU per action with 3,000
    delegates' keys. When a sweep leaves it still full, the oldest half goes.
    """

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._counts: dict[str, list[float]] = {}

    def add(self, key: str, previous_key: str, ttl: int, now: float) -> tuple[int, int]:
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[1] <= now:
                if len(self._counts) >= self.max_keys:
                    self._sweep(now)
                entry = self._counts[key] = [0, now + ttl]
            entry[0] += 1
            previous = self._counts.get(previous_key)
            before = int(previous[0]) if previous and previous[1] > now else 0
            return before, int(entry[0])

    def remove(self, key: str, ttl: int, now: float) -> None:
        with self._lock:
            entry = self._counts.get(key)
            if entry is not None and entry[0] > 0:
                entry[0] -= 1

    def clear(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)

    def claim(self, key: str, ttl: float, now: float) -> float:
        with self._lock:
            entry = self._counts.get(key)
            if entry is not None and entry[1] > now:
                return entry[1] - now
            if len(self._counts) >= self.max_keys:
                self._sweep(now)
            self._counts[key] = [1, now + ttl]
            return 0.0

    def _sweep(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        if len(self._counts) >= self.max_keys:
            keep = list(self._counts.items())[len(self._counts) // 2 :]
            self._counts = dict(keep)


class RedisStore:
    """Counts in Redis, shared by every process: one round trip per action
    (a MULTI of INCR, EXPIRE and GET)."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )

    def add(self, key: str, previous_key: str, ttl: int, now: float) -> tuple[int, int]:
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, ttl)
        pipe.get(previous_key)
        current, _expire, previous = pipe.execute()
        return int(previous or 0), int(current)

    def remove(self, key: str, ttl: int, now: float) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.decr(key)
        pipe.expire(key, ttl)
        pipe.execute()

    def clear(self, keys: list[str]) -> None:
        if keys:
            self.client.delete(*keys)

    def claim(self, key: str, ttl: float, now: float) -> float:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 1, nx=True, px=max(1, int(ttl * 1000)))
        pipe.pttl(key)
        claimed, left_ms = pipe.execute()
        return 0.0 if claimed else max(0.001, left_ms / 1000)


def _wait(rate: Rate, previous: int, current: int, elapsed: float) -> int:
    """Whole seconds until one more action fits, ``current`` not counting the
    refused one."""
    period = rate.seconds
    left = period - elapsed
    if current + 1 <= rate.count and previous:
        # Still in this window, once enough of the previous one has slid out.
        wait = left - (rate.count - current - 1) * period / previous
        if wait < left:
            return max(1, math.ceil(wait))
    # Else in the next window, once enough of this one has slid out.
    slide = period * (1 - (rate.count - 1) / current) if current else 0.0
    return max(1, math.ceil(left + max(0.0, slide)))


class Limiter:
    """Counts actions against limits in a store; ``clock`` can be replaced
    (tests move time forward without waiting)."""

    # After Redis fails, this process counts in its own memory this long
    # before it tries Redis again, so that a Redis outage costs each request
    # no more than a failed connection once in a while.
    REDIS_RETRY_SECONDS = 10.0

    def __init__(
        self,
        store: Store,
        *,
        prefix: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.prefix = prefix
        self.clock = clock
        self.fallback = MemoryStore()
        self._store_down_until = 0.0

    def _key(self, limit: Limit, identity: str, window: int | str) -> str:
        digest = salted_hmac(
            "majlis.ratelimit", identity, algorithm="sha256"
        ).hexdigest()[:32]
        return f"{self.prefix}rl:{limit.name}:{digest}:{window}"

    def _store(self, now: float) -> Store:
        return self.fallback if now < self._store_down_until else self.store

    def _failed(self, error: Exception, now: float) -> None:
        self._store_down_until = now + self.REDIS_RETRY_SECONDS
        logger.error(
            "rate limits: the shared store failed (%s); counting in this "
            "process's memory for %d s",
            type(error).__name__,
            self.REDIS_RETRY_SECONDS,
        )

    def hit(
        self,
        limit: Limit,
        identity: str,
        message: Callable[[int], str] | None = None,
    ) -> Hit | None:
        """Count one action of ``identity``; raise ``TooManyRequests`` (with
        ``message(seconds)`` if given) when it does not fit, counting nothing.
        ``None`` when the limit is off."""
        rate = limit.rate()
        if rate is None:
            return None
        now = self.clock()
        if rate.count == 1:
            return self._once(limit, rate, identity, now, message)
        window = int(now // rate.seconds)
        elapsed = now - window * rate.seconds
        key = self._key(limit, identity, window)
        previous_key = self._key(limit, identity, window - 1)
        ttl = 2 * rate.seconds + 1
        store = self._store(now)
        try:
            previous, current = store.add(key, previous_key, ttl, now)
        except redis.RedisError as error:
            self._failed(error, now)
            store = self.fallback
            previous, current = store.add(key, previous_key, ttl, now)
        weight = (rate.seconds - elapsed) / rate.seconds
        if previous * weight + current <= rate.count:
            return Hit(limit, key, ttl)
        try:
            store.remove(key, ttl, now)
        except redis.RedisError as error:
            self._failed(error, now)
        seconds = _wait(rate, previous, current - 1, elapsed)
        raise TooManyRequests(
            seconds, message(seconds) if message is not None else None
        )

    def _once(
        self,
        limit: Limit,
        rate: Rate,
        identity: str,
        now: float,
        message: Callable[[int], str] | None,
    ) -> Hit:
        """One action per period, exactly: a window's estimate would make a
        client who acted late in one window wait most of the next as well."""
        key = self._key(limit, identity, "once")
        try:
            left = self._store(now).claim(key, rate.seconds, now)
        except redis.RedisError as error:
            self._failed(error, now)
            left = self.fallback.claim(key, rate.seconds, now)
        if left:
            seconds = max(1, math.ceil(left))
            raise TooManyRequests(
                seconds, message(seconds) if message is not None else None
            )
        return Hit(limit, key, 0)

    def hit_all(
        self, hits: Sequence[tuple[Limit, str, Callable[[int], str] | None]]
    ) -> list[Hit]:
        """Count one action against each limit, or against none: when one
        refuses, those already counted are taken back."""
        counted: list[Hit] = []
        try:
            for limit, identity, message in hits:
                hit = self.hit(limit, identity, message)
                if hit is not None:
                    counted.append(hit)
        except TooManyRequests:
            self.refund(counted)
            raise
        return counted

    def refund(self, hits: list[Hit]) -> None:
        """Take counted actions back (a success that was no guess)."""
        now = self.clock()
        for hit in hits:
            try:
                if hit.ttl == 0:  # held once per period: free it
                    self._store(now).clear([hit.key])
                else:
                    self._store(now).remove(hit.key, hit.ttl, now)
            except redis.RedisError as error:
                self._failed(error, now)

    def clear(self, limit: Limit, identity: str) -> None:
        """Forget every action of ``identity`` against ``limit``."""
        rate = limit.rate()
        if rate is None:
            return
        now = self.clock()
        window = int(now // rate.seconds)
        keys = [self._key(limit, identity, w) for w in ("once", window - 1, window)]
        try:
            self._store(now).clear(keys)
        except redis.RedisError as error:
            self._failed(error, now)
        self.fallback.clear(keys)


_limiter: Limiter | None = None
_limiter_lock = threading.Lock()


def limiter() -> Limiter:
    """This process's limiter, on the store the settings name."""
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            url = settings.MAJLIS_REDIS_URL
            store: Store = RedisStore(url) if url else MemoryStore()
            _limiter = Limiter(store, prefix=settings.MAJLIS_REDIS_KEY_PREFIX)
        return _limiter


def _forget_limiter(*, setting: str, **_kwargs: object) -> None:
    global _limiter
    if setting in ("MAJLIS_REDIS_URL", "MAJLIS_REDIS_KEY_PREFIX"):
        with _limiter_lock:
            _limiter = None


setting_changed.connect(_forget_limiter)


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as a limit's identity.

    Behind a reverse proxy (``MAJLIS_BEHIND_PROXY``), the last address of
    ``X-Forwarded-For``, the one the proxy added (any before it come from the
    client, which could write anything there). An IPv6 address stands for its
    /64 network, which one subscriber usually holds whole.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.MAJLIS_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        address = forwarded[-1].strip() or address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address}"
    if parsed.version == 6:
        return f"address:{ipaddress.ip_network((parsed, 64), strict=False)}"
    return f"address:{parsed}"
