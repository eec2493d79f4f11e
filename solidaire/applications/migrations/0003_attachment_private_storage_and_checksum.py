# Attachments move to the private store: the file field becomes the stored
# (random) name, and each attachment records its size, type, checksum and
# who sent it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_organisation_profile_and_invitations"),
        ("calls", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="attachment",
            options={
                "ordering": ["proposal", "document", "id"],
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
            },
        ),
        migrations.RenameField(model_name="attachment", old_name="file", new_name="stored_name"),
        migrations.AlterField(
            model_name="attachment",
            name="stored_name",
            field=models.CharField(max_length=255, unique=True, verbose_name="stored file"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="content_type",
            field=models.CharField(blank=True, max_length=120, verbose_name="content type"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="size",
            field=models.PositiveBigIntegerField(default=0, verbose_name="size in bytes"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="uploaded by",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="name",
            field=models.CharField(max_length=200, verbose_name="original name"),
        ),
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("document__isnull", False)),
                fields=("proposal", "document"),
                name="attachment_one_per_required_document",
            ),
        ),
    ]
