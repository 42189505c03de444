
import datetime
import teammoa.core.dates
from django.db import migrations, models


EARLIEST = datetime.date(1970, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def clamp_dates(apps, schema_editor):
    """Pull milestones stored before the bounds existed into 1970-2100 so the constraint
    can be added (MySQL checks existing rows); start <= end is kept."""
    Milestone = apps.get_model("teammoa_core", "Milestone")
    outside = Milestone.objects.filter(
        models.Q(start_date__lt=EARLIEST)
        | models.Q(start_date__gt=LATEST)
        | models.Q(end_date__lt=EARLIEST)
        | models.Q(end_date__gt=LATEST)
    )
    for milestone in outside.iterator():
        milestone.start_date = min(max(milestone.start_date, EARLIEST), LATEST)
        milestone.end_date = min(max(milestone.end_date, milestone.start_date), LATEST)
        milestone.save(update_fields=["start_date", "end_date"])


class Migration(migrations.Migration):

    dependencies = [
        ('teammoa_core', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='milestone',
            name='end_date',
            field=models.DateField(validators=[teammoa.core.dates.validate_date_in_range], verbose_name='end date'),
        ),
        migrations.AlterField(
            model_name='milestone',
            name='start_date',
            field=models.DateField(validators=[teammoa.core.dates.validate_date_in_range], verbose_name='start date'),
        ),
        migrations.RunPython(clamp_dates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='milestone',
            constraint=models.CheckConstraint(condition=models.Q(('end_date__lte', datetime.date(2100, 12, 31)), ('start_date__gte', datetime.date(1970, 1, 1))), name='teammoa_milestone_dates_in_range'),
        ),
    ]
