"""Access needs become a list of known needs plus the delegate's own words.

The free text written so far is kept, as the note: the column is renamed,
not converted.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_waiting_list_in_id_order")]

    operations = [
        migrations.RenameField(
            model_name="booking", old_name="access_needs", new_name="access_needs_note"
        ),
        migrations.AlterField(
            model_name="booking",
            name="access_needs_note",
            field=models.CharField(
                blank=True, max_length=500, verbose_name="access needs, in the delegate's words"
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="access_needs",
            field=models.JSONField(blank=True, default=list, verbose_name="access needs"),
        ),
        migrations.AlterField(
            model_name="bookingchange",
            name="action",
            field=models.CharField(
                choices=[
                    ("booked", "booked a seat"),
                    ("waitlisted", "joined the waiting list"),
                    ("promoted", "promoted from the waiting list"),
                    ("cancelled", "cancelled"),
                    ("switched_away", "released by a switch"),
                    ("access_needs", "changed the access needs"),
                    ("released_for_preferred", "released for a preferred session"),
                ],
                max_length=30,
            ),
        ),
    ]
