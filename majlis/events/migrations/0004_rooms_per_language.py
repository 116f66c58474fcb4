"""Room names per language; the room written so far becomes the English one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0003_session_languages")]

    operations = [
        migrations.RenameField(model_name="session", old_name="room", new_name="room_en"),
        migrations.AlterField(
            model_name="session",
            name="room_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="room (English)"),
        ),
        migrations.AddField(
            model_name="session",
            name="room_fr",
            field=models.CharField(blank=True, max_length=100, verbose_name="room (French)"),
        ),
        migrations.AddField(
            model_name="session",
            name="room_es",
            field=models.CharField(blank=True, max_length=100, verbose_name="room (Spanish)"),
        ),
        migrations.AddField(
            model_name="session",
            name="room_ar",
            field=models.CharField(blank=True, max_length=100, verbose_name="room (Arabic)"),
        ),
    ]
