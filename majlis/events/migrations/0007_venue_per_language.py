from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0006_waitlist_length")]

    operations = [
        migrations.RenameField(model_name="event", old_name="venue", new_name="venue_en"),
        migrations.AlterField(
            model_name="event",
            name="venue_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="venue (English)"),
        ),
        migrations.AddField(
            model_name="event",
            name="venue_fr",
            field=models.CharField(blank=True, max_length=200, verbose_name="venue (French)"),
        ),
        migrations.AddField(
            model_name="event",
            name="venue_es",
            field=models.CharField(blank=True, max_length=200, verbose_name="venue (Spanish)"),
        ),
        migrations.AddField(
            model_name="event",
            name="venue_ar",
            field=models.CharField(blank=True, max_length=200, verbose_name="venue (Arabic)"),
        ),
    ]
