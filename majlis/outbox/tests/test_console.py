import io

from django.core.mail import EmailMessage

from majlis.outbox.console import ReadableConsoleBackend


def test_the_demo_console_prints_bodies_in_any_script_as_plain_text():
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream, alias="default")
    message = EmailMessage(
        subject="رابط الدخول",
        body="مرحبا\nhttp://127.0.0.1:8000/ar/x/",
        to=["a@example.org"],
    )
    message.attach("s.ics", b"BEGIN:VCALENDAR", "text/calendar")

    assert backend.send_messages([message]) == 1

    printed = stream.getvalue()
    assert "Subject: رابط الدخول" in printed
    assert "http://127.0.0.1:8000/ar/x/" in printed
    assert "Attachments: s.ics" in printed
