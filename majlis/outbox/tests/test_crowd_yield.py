"""The outbox workers leave the CPU to a flash crowd's requests, for a minute
at a time at most, and never lose or skip a message for it."""

import itertools
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from majlis.outbox.crowding import CPU_TIMES, CpuBusy, CrowdYield
from majlis.outbox.models import OutboxMessage, OutboxStatus
from majlis.outbox.services import (
    CLAIM_BATCH,
    SendReport,
    outbox_enqueue,
    outbox_send_due,
)
from majlis.server.management.commands import outbox as outbox_command
from majlis.testing.factories import ParticipantFactory, SessionFactory


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cpu_times(path: Path, *, user: int, nice: int, system: int, idle: int) -> None:
    """/proc/stat's first lines: user nice system idle iowait irq softirq steal
    guest guest_nice, in ticks since boot."""
    path.write_text(
        f"cpu  {user} {nice} {system} {idle} 0 0 0 0 0 0\n"
        f"cpu0 {user} {nice} {system} {idle} 0 0 0 0 0 0\n"
        "intr 12345\n"
    )


def test_busy_is_the_share_of_time_on_work_not_niced_since_the_last_reading(
    tmp_path,
):
    source, clock = tmp_path / "stat", FakeClock()
    cpu = CpuBusy(source, clock)
    cpu_times(source, user=1000, nice=500, system=200, idle=3000)
    assert cpu.share() is None  # nothing to compare with yet

    clock.now += 1.0
    # 200 ticks: 120 of requests and the database, 60 of niced email, 20 idle.
    cpu_times(source, user=1100, nice=560, system=220, idle=3020)
    assert cpu.share() == pytest.approx(0.6)

    clock.now += 1.0
    cpu_times(source, user=1100, nice=760, system=220, idle=3020)
    assert cpu.share() == 0.0  # only niced work: free for email

    clock.now += 0.05  # too short a window to say anything new
    cpu_times(source, user=1200, nice=760, system=220, idle=3020)
    assert cpu.share() == 0.0


@pytest.mark.parametrize(
    "content",
    [None, "", "cpu 1 2\n", "cpu a b c d e f g h\n", "intr 1 2 3 4 5 6 7 8\n"],
)
def test_without_cpu_times_it_is_unknown(tmp_path, content):
    source = tmp_path / "stat"
    if content is not None:
        source.write_text(content)
    cpu = CpuBusy(source, FakeClock())

    assert cpu.share() is None
    assert cpu.share() is None


@pytest.mark.skipif(not CPU_TIMES.exists(), reason="no /proc/stat here")
def test_this_machines_cpu_is_read():
    cpu = CpuBusy()
    cpu.share()
    time.sleep(0.15)
    share = cpu.share()
    assert share is not None and 0.0 <= share <= 1.0


class Readings:
    def __init__(self, *shares: float | None) -> None:
        self.shares = list(shares)

    def share(self) -> float | None:
        return self.shares.pop(0)


def test_a_worker_pauses_while_crowded_for_a_minute_at_most():
    clock = FakeClock()
    crowd = CrowdYield(
        Readings(0.2, 0.9, 0.9, 0.9, 0.9, 0.3, 0.9, None),  # type: ignore[arg-type]
        threshold=0.5,
        longest_seconds=60,
        then_send=2,
        clock=clock,
    )
    decisions = []
    for step in (1, 1, 30, 30, 0, 0, 1, 1, 1, 1):
        clock.now += step
        decisions.append(crowd.should_pause())

    # Calm: send. Crowded: pause, until 60 s of pausing, then a round (this
    # check and two more, the CPU not read), then pause again. Calm or
    # unknown: send.
    assert decisions == [
        *(False, True, True),
        *(False, False, False),
        *(True, False, True, False),
    ]


def test_a_threshold_of_zero_never_pauses():
    crowd = CrowdYield(
        Readings(1.0),  # type: ignore[arg-type]
        threshold=0,
        longest_seconds=60,
        then_send=5,
        clock=FakeClock(),
    )
    assert crowd.should_pause() is False


def _sign_in_messages(count: int) -> list[OutboxMessage]:
    person = ParticipantFactory()
    return [
        outbox_enqueue(
            kind="magic_link",
            to_email=person.email,
            language="en",
            payload={"participant": person.pk, "token": "secret", "next": ""},
        )
        for _ in range(count)
    ]


def _booking_messages(count: int) -> list[OutboxMessage]:
    from majlis.bookings.services import Actor, booking_create

    session = SessionFactory(capacity=count)
    for person in ParticipantFactory.create_batch(count, event=session.event):
        booking_create(participant=person, session=session, actor=Actor.system())
    return list(OutboxMessage.objects.filter(kind="booking_confirmed"))


def _stop_after(pauses: int, slept: list[float]):
    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= pauses:
            raise KeyboardInterrupt  # how the worker is stopped

    return sleep


# Committed data: the worker checks its connection before resting.
@pytest.mark.django_db(transaction=True)
def test_while_crowded_the_worker_sends_only_sign_in_links_and_the_rest_after(
    settings, monkeypatch
):
    settings.MAJLIS_OUTBOX_YIELD_BUSY = 0.5
    lowered: list[bool] = []
    monkeypatch.setattr(
        outbox_command, "_lowest_priority", lambda: lowered.append(True)
    )
    confirmations = _booking_messages(3)
    sign_ins = _sign_in_messages(2)
    shares = iter([0.9, 0.9, 0.9])
    monkeypatch.setattr(CpuBusy, "share", lambda self: next(shares))
    slept: list[float] = []
    monkeypatch.setattr(outbox_command.time, "sleep", _stop_after(3, slept))

    call_command("outbox", interval=60)

    assert slept == [outbox_command.PAUSE_SECONDS] * 3
    # A delegate waiting for a sign-in link cannot book: it is not held back.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        message.to_email for message in sign_ins
    )
    # Niced, so that its own sending never counts as a crowd.
    assert lowered == [True]
    shares = itertools.repeat(0.1)
    slept.clear()
    monkeypatch.setattr(outbox_command.time, "sleep", _stop_after(1, slept))

    call_command("outbox", interval=60)

    assert slept == [60]  # sent, then rested on an empty queue
    assert len(mail.outbox) == 5
    assert set(
        OutboxMessage.objects.filter(
            pk__in=[m.pk for m in confirmations + sign_ins]
        ).values_list("status", flat=True)
    ) == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_sign_in_links_are_claimed_before_older_messages():
    _booking_messages(CLAIM_BATCH)
    sign_in = _sign_in_messages(1)[0]

    report = outbox_send_due(limit=1)

    assert report.sent == 1
    assert mail.outbox[0].to == [sign_in.to_email]


@pytest.mark.django_db
def test_once_sends_even_when_crowded(settings, monkeypatch):
    """`majlis outbox --once` is asked for by a person (or a test), now."""
    settings.MAJLIS_OUTBOX_YIELD_BUSY = 0.5
    monkeypatch.setattr(outbox_command, "_lowest_priority", lambda: None)
    _sign_in_messages(2)
    monkeypatch.setattr(CpuBusy, "share", lambda self: 1.0)

    call_command("outbox", once=True)

    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_round_stops_before_its_next_claim_when_a_crowd_begins():
    _sign_in_messages(CLAIM_BATCH * 3)
    answers = iter([False, True])

    report = outbox_send_due(limit=CLAIM_BATCH * 3, pause=lambda: next(answers))

    assert report == SendReport(sent=CLAIM_BATCH, paused=True)
    assert len(mail.outbox) == CLAIM_BATCH
    assert (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
        == CLAIM_BATCH * 2
    )
