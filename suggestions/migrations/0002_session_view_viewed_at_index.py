from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sessionview",
            index=models.Index(fields=["viewed_at"], name="session_view_viewed_at"),
        ),
    ]
