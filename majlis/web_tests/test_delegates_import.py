"""The secretariat imports delegates in Chromium, on a desktop in English and
on a 360 px phone in Arabic: the CSV template downloads; a file with a wrong
constituency code is refused, the error naming the line and the accepted
codes in the page's language; the corrected file is previewed, then imported
with a welcome email for each new delegate. axe-core checks each step, and
no page scrolls sideways."""

import json
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import Browser, expect

from majlis.accounts.models import Participant
from majlis.backoffice.models import StaffRole
from majlis.outbox.models import OutboxMessage
from majlis.testing.factories import EventFactory
from majlis.web_tests.conftest import keep_screenshot
from majlis.web_tests.test_confirmations import note_problems, shown
from majlis.web_tests.test_door import DEVICES, counted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase"  # noqa: S105 - a test account's
HEADER = "email,name,organisation,constituency,country,language\r\n"
# The template names every column the import reads, gender included.
TEMPLATE_HEADER = "email,name,organisation,constituency,country,language,gender"
ROWS = [
    "amina.benali@example.org,Amina Benali,Ministry of Labour,government,MA,ar\r\n",
    "jane.smith@example.org,Jane Smith,Union,{constituency},GB,en\r\n",
]
CONSTITUENCY_CODES = (
    "government, employers, workers, international, civil_society, academia, "
    "youth, other"
)


@pytest.fixture
def event():
    slug = f"import-{uuid.uuid4().hex[:8]}"
    found = EventFactory(slug=slug)
    user = User.objects.create_user("secretariat", "secretariat@example.org", PASSWORD)
    StaffRole.objects.create(user=user, event=found, role="secretariat")
    return found


def delegates_file(constituency: str) -> dict:
    text = HEADER + "".join(ROWS).format(constituency=constituency)
    return {
        "name": "delegates.csv",
        "mimeType": "text/csv",
        "buffer": text.encode(),
    }


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_template_refused_file_preview_then_import_with_a_welcome(
    browser: Browser, live_server, event, language, device, request
):
    base = f"{live_server.url}/{language}/backoffice"
    importing = f"{base}/{event.slug}/delegates/import/"
    context = browser.new_context(viewport=DEVICES[device])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, object] = {}

    def w(message: str, **values: object) -> str:
        return shown(language, message, **values)

    try:
        page.goto(f"{base}/login/?next={importing.removeprefix(live_server.url)}")
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(importing)
        expect(page.get_by_role("heading", level=1)).to_have_text(w("Import delegates"))
        note_problems(page, found, "upload")

        template = page.get_by_role("link", name=w("CSV template"))
        with page.expect_download() as downloading:
            template.click()
        download = downloading.value
        assert download.suggested_filename == f"{event.slug}-delegates.csv"
        lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == TEMPLATE_HEADER
        assert len(lines) == 2  # and an example row
        answer = context.request.get(template.evaluate("link => link.href"))
        assert answer.status == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"

        page.locator("#id_file").set_input_files(delegates_file("ministry"))
        page.get_by_role("button", name=w("Check the file")).click()
        refusal = page.get_by_role("alert")
        with translation.override(language):
            field = str(Participant._meta.get_field("constituency").verbose_name)
        expect(refusal).to_contain_text(
            w(
                "line %(line)s: %(reason)s",
                line=3,
                reason=w(
                    "“%(field)s”: %(error)s",
                    field=field,
                    error=w(
                        "“%(value)s” is not a constituency code. Use one of: "
                        "%(codes)s (empty means other).",
                        value="ministry",
                        codes=CONSTITUENCY_CODES,
                    ),
                ),
            )
        )
        expect(refusal.locator("li")).to_have_count(1)
        assert not Participant.objects.filter(event=event).exists()
        note_problems(page, found, "refused")

        page.locator("#id_file").set_input_files(delegates_file("workers"))
        page.get_by_role("button", name=w("Check the file")).click()
        expect(page.get_by_role("heading", level=2).first).to_have_text(
            counted(
                language,
                "The file is correct: %(people)s delegate to import.",
                "The file is correct: %(people)s delegates to import.",
                2,
                people=2,
            )
        )
        preview = page.locator("main table tbody tr")
        expect(preview).to_have_count(2)
        expect(preview.nth(1)).to_contain_text("jane.smith@example.org")
        expect(preview.nth(1)).to_contain_text("workers")
        assert not Participant.objects.filter(event=event).exists()
        note_problems(page, found, "preview")

        page.get_by_label(
            w(
                "Email each new delegate a welcome, in their language, with a link "
                "to sign in and book"
            )
        ).check()
        page.get_by_role("button", name=w("Import them")).click()
        page.wait_for_url(f"{base}/{event.slug}/delegates/")
        expect(page.locator("#messages")).to_contain_text(
            counted(
                language,
                "%(count)d delegate imported.",
                "%(count)d delegates imported.",
                2,
            )
        )
        expect(page.locator("#messages")).to_contain_text(
            counted(
                language,
                "A welcome email with a sign-in link is on its way to %(count)d "
                "new delegate.",
                "A welcome email with a sign-in link is on its way to %(count)d "
                "new delegates.",
                2,
            )
        )
        imported = Participant.objects.filter(event=event).order_by("email")
        assert [
            (person.email, person.constituency, person.language) for person in imported
        ] == [
            ("amina.benali@example.org", "government", "ar"),
            ("jane.smith@example.org", "workers", "en"),
        ]
        welcomes = OutboxMessage.objects.filter(kind="welcome").order_by("to_email")
        assert [(message.to_email, message.language) for message in welcomes] == [
            ("amina.benali@example.org", "ar"),
            ("jane.smith@example.org", "en"),
        ]
        note_problems(page, found, "imported")
    except BaseException:
        keep_screenshot(page, request.node.name)
        raise
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
