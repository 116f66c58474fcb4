"""A file of delegates is refused above its limits (size, rows, an Excel
file's unpacked content), in the back office and by `majlis
import-participants`, with nothing imported; a preview waits on the server,
for the member of staff who made it, not in their session."""

import io
import struct
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session as StoredSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import Workbook

from majlis.accounts.models import Participant
from majlis.backoffice.models import ImportPreview, StaffRole
from majlis.backoffice.tests.test_delegates import HEADER, confirmation
from majlis.core.housekeeping import HOUSEKEEPING_SECONDS
from majlis.testing.factories import EventFactory

pytestmark = pytest.mark.django_db
IMPORT = "/en/backoffice/casa/delegates/import/"


@pytest.fixture
def event():
    return EventFactory(slug="casa")


def secretariat(event, name: str = "sec") -> Client:
    client = Client()
    user = User.objects.create_user(name, f"{name}@example.org", "pw-123-long")
    StaffRole.objects.create(user=user, event=event, role="secretariat")
    client.force_login(user)
    return client


def delegates_csv(count: int) -> bytes:
    lines = [",".join(HEADER)] + [
        f"delegate{n}@example.org,Delegate {n},Ministry,government,MA,fr"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def delegates_xlsx(count: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(count):
        sheet.append([f"d{n}@example.org", f"Delegate {n}", "", "government", "MA"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: Client, name: str, content: bytes, language: str = "en") -> str:
    page = client.post(
        IMPORT.replace("/en/", f"/{language}/"),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert page.status_code == 200
    return page.content.decode()


def test_a_file_above_the_size_limit_is_refused_and_nothing_is_kept(event):
    client = secretariat(event)
    padding = b"x" * (settings.MAJLIS_IMPORT_MAX_BYTES + 1 - len(HEADER))
    page = upload(client, "delegates.csv", delegates_csv(1) + padding)
    assert (
        "This file is 5.0\xa0MB: a file of delegates may be at most 5.0\xa0MB, "
        "with at most 20,000 delegates. Split it, then import each part." in page
    )
    assert "At most 20,000 delegates and 5.0\xa0MB per file." in page
    assert not Participant.objects.exists() and not ImportPreview.objects.exists()


def test_a_file_of_more_rows_than_the_limit_is_refused(event):
    client = secretariat(event)
    page = upload(client, "delegates.csv", delegates_csv(20_001))
    assert "This file holds more than 20,000 delegates" in page
    assert "Split it, then import each part." in page
    assert not Participant.objects.exists() and not ImportPreview.objects.exists()


def test_the_limit_counts_delegates_not_the_header_or_blank_lines(event):
    client = secretariat(event)
    with override_settings(MAJLIS_IMPORT_MAX_ROWS=3):
        page = upload(client, "delegates.csv", delegates_csv(3) + b"\n,,,,,\n\n")
        assert "3 delegates to import" in page
        page = upload(client, "delegates.xlsx", delegates_xlsx(4))
        assert "This file holds more than 3 delegates" in page


def test_the_refusal_is_in_the_users_language(event):
    client = secretariat(event)
    with override_settings(MAJLIS_IMPORT_MAX_ROWS=3):
        page = upload(client, "delegates.csv", delegates_csv(4), language="fr")
    assert "Ce fichier contient plus de 3 participant(e)s" in page


@override_settings(MAJLIS_IMPORT_MAX_BYTES=100_000)
def test_an_excel_file_that_unpacks_beyond_its_limit_is_refused(event):
    client = secretariat(event)
    content = delegates_xlsx(0)
    bomb = io.BytesIO(content)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/padding.xml", b" " * 1_000_000)
    assert len(bomb.getvalue()) < 100_000
    page = upload(client, "delegates.xlsx", bomb.getvalue())
    assert "This Excel file unpacks to" in page
    assert "more than the 390.6\xa0KB a file of delegates may hold" in page
    assert not ImportPreview.objects.exists()


def understated(content: bytes, member: str, size: int) -> bytes:
    """``content``, a zip, declaring ``size`` bytes for ``member`` where it
    holds more (its local header and its central directory entry)."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        info = package.getinfo(member)
        position = package.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, size)
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, position + 24, size)
        position += 46 + name_length + extra + comment
    return bytes(data)


@override_settings(MAJLIS_IMPORT_MAX_BYTES=100_000)
def test_an_excel_file_that_unpacks_to_more_than_it_declares_is_refused(event):
    client = secretariat(event)
    lying = understated(delegates_xlsx(2_000), "xl/worksheets/sheet1.xml", 1_000)
    with zipfile.ZipFile(io.BytesIO(lying)) as package:  # it passes the check
        assert sum(member.file_size for member in package.infolist()) < 400_000
    page = upload(client, "delegates.xlsx", lying)
    assert "line 1: the file cannot be read: it is not an Excel (.xlsx) workbook" in (
        page
    )
    assert not ImportPreview.objects.exists() and not Participant.objects.exists()


def test_the_session_stays_small_and_the_preview_is_imported_on_confirm(event):
    client = secretariat(event)
    content = delegates_csv(2_000)
    page = upload(client, "delegates.csv", content)
    assert "2000 delegates to import" in page
    stored = StoredSession.objects.get(session_key=client.session.session_key)
    assert len(stored.session_data) < 1_000  # 227 bytes; the rows made it 23 KB
    assert len(content) > 100_000
    assert bytes(ImportPreview.objects.get().content) == content

    done = client.post(IMPORT, confirmation(page), follow=True).content.decode()
    assert "2000 delegates imported." in done
    assert Participant.objects.filter(event=event).count() == 2_000
    assert not ImportPreview.objects.exists()  # confirmed once, then gone


def test_a_preview_is_confirmed_only_by_its_author_before_it_expires(event):
    author, colleague = secretariat(event), secretariat(event, "colleague")
    page = upload(author, "delegates.csv", delegates_csv(2))
    expired = "Upload the file again: its preview has expired."
    taken = colleague.post(IMPORT, confirmation(page), follow=True).content.decode()
    assert expired in taken
    assert not Participant.objects.exists()

    ImportPreview.objects.update(
        expires_at=ImportPreview.objects.get().expires_at
        - timedelta(minutes=settings.MAJLIS_IMPORT_PREVIEW_MINUTES)
    )
    late = author.post(IMPORT, confirmation(page), follow=True).content.decode()
    assert expired in late
    assert not Participant.objects.exists()
    # The next preview, whoever makes it, clears the expired one away.
    upload(colleague, "delegates.csv", delegates_csv(1))
    assert list(ImportPreview.objects.values_list("user__username", flat=True)) == [
        "colleague"
    ]


def expire_preview_of(username: str) -> None:
    ImportPreview.objects.filter(user__username=username).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_the_outbox_worker_purges_expired_previews_without_a_new_one(event):
    upload(secretariat(event), "delegates.csv", delegates_csv(2))
    upload(secretariat(event, "colleague"), "delegates.csv", delegates_csv(1))
    expire_preview_of("sec")
    out = io.StringIO()
    call_command("outbox", once=True, stdout=out)
    assert list(ImportPreview.objects.values_list("user__username", flat=True)) == [
        "colleague"
    ]
    assert "housekeeping, expired import previews: 1 removed" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_purges_them_every_few_minutes(event, monkeypatch):
    from majlis.server.management.commands import outbox as outbox_command

    upload(secretariat(event), "delegates.csv", delegates_csv(1))
    expire_preview_of("sec")
    clock = {"now": 1000.0}
    rests = []

    def sleep(seconds):
        rests.append(seconds)
        if len(rests) == 1:
            # A preview expires while the worker rests: the next rounds within
            # HOUSEKEEPING_SECONDS leave it, the first after purges it.
            upload(secretariat(event, "colleague"), "delegates.csv", delegates_csv(1))
            expire_preview_of("colleague")
        elif len(rests) == 2:
            assert ImportPreview.objects.filter(user__username="colleague").exists()
            clock["now"] += HOUSEKEEPING_SECONDS
        else:
            raise KeyboardInterrupt  # how the worker is stopped
        clock["now"] += 2

    monkeypatch.setattr(outbox_command.time, "sleep", sleep)
    monkeypatch.setattr(outbox_command.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(outbox_command.CrowdYield, "should_pause", lambda self: False)
    call_command("outbox", interval=2, stdout=io.StringIO())
    assert len(rests) == 3
    assert not ImportPreview.objects.exists()


def test_a_failing_chore_is_logged_and_the_others_still_run(event, caplog):
    from majlis.core import housekeeping

    upload(secretariat(event), "delegates.csv", delegates_csv(1))
    expire_preview_of("sec")

    def broken() -> int:
        raise RuntimeError("disk full")

    chores = {"broken": broken, **housekeeping._CHORES}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(housekeeping, "_CHORES", chores)
        done = housekeeping.run_chores()
    assert done == {"expired import previews": 1}
    assert "housekeeping: broken failed" in caplog.text
    assert not ImportPreview.objects.exists()


def test_a_new_preview_replaces_the_authors_last(event):
    client = secretariat(event)
    first = upload(client, "delegates.csv", delegates_csv(1))
    upload(client, "delegates.csv", delegates_csv(2))
    assert ImportPreview.objects.count() == 1
    stale = client.post(IMPORT, confirmation(first), follow=True).content.decode()
    assert "its preview has expired" in stale
    assert not Participant.objects.exists()


def test_the_command_refuses_a_file_above_the_size_limit_unread(tmp_path, event):
    path = tmp_path / "delegates.csv"
    path.write_bytes(delegates_csv(1) + b"x" * settings.MAJLIS_IMPORT_MAX_BYTES)
    with pytest.raises(CommandError, match=r"Nothing was imported: This file is 5\.0"):
        call_command("import_participants", str(path), event="casa")
    assert not Participant.objects.exists()


def test_the_command_refuses_more_rows_than_the_limit(tmp_path, event):
    path = tmp_path / "delegates.csv"
    path.write_bytes(delegates_csv(20_001))
    with pytest.raises(CommandError, match="holds more than 20,000 delegates"):
        call_command("import_participants", str(path), event="casa")
    assert not Participant.objects.exists()
