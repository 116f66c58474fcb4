"""A booking whose delegate wrote access needs in words gets the need "other"."""

from django.db import migrations


def mark_other(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    for booking in Booking.objects.exclude(access_needs_note="").only("pk"):
        Booking.objects.filter(pk=booking.pk).update(access_needs=["other"])


def unmark(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Booking.objects.filter(access_needs=["other"]).update(access_needs=[])


class Migration(migrations.Migration):
    dependencies = [("bookings", "0004_structured_access_needs")]
    operations = [migrations.RunPython(mark_other, unmark)]
