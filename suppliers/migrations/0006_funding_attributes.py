"""Two attributes for the funding registration with DUO: the postal code alone and where a
pupil went after leaving (students/attributes.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0005_legal_ground_withdrawal_notice"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agreementattribute",
            name="attribute",
            field=models.CharField(
                choices=[
                    ("first_name", "First name (the name they go by)"),
                    ("last_name", "Surname with prefix"),
                    ("initials", "Initials"),
                    ("date_of_birth", "Date of birth"),
                    ("sex", "Sex"),
                    ("year_group", "Year group"),
                    ("group_name", "Group name"),
                    ("school_brin", "School BRIN code"),
                    ("teacher_name", "Teacher's name"),
                    ("teacher_email", "Teacher's email address"),
                    ("address", "Address"),
                    ("postal_code", "Postal code"),
                    ("guardian_name", "Guardians' names"),
                    ("guardian_email", "Guardians' email addresses"),
                    ("guardian_phone", "Guardians' phone numbers"),
                    ("bsn", "BSN or education number"),
                    ("enrolled_on", "Enrolment date"),
                    ("withdrawn_on", "Withdrawal date"),
                    ("withdrawal_destination", "Where the pupil went after leaving"),
                    ("progress", "Progress and grades"),
                ],
                max_length=40,
                verbose_name="attribute",
            ),
        ),
        migrations.AlterField(
            model_name="productattribute",
            name="attribute",
            field=models.CharField(
                choices=[
                    ("first_name", "First name (the name they go by)"),
                    ("last_name", "Surname with prefix"),
                    ("initials", "Initials"),
                    ("date_of_birth", "Date of birth"),
                    ("sex", "Sex"),
                    ("year_group", "Year group"),
                    ("group_name", "Group name"),
                    ("school_brin", "School BRIN code"),
                    ("teacher_name", "Teacher's name"),
                    ("teacher_email", "Teacher's email address"),
                    ("address", "Address"),
                    ("postal_code", "Postal code"),
                    ("guardian_name", "Guardians' names"),
                    ("guardian_email", "Guardians' email addresses"),
                    ("guardian_phone", "Guardians' phone numbers"),
                    ("bsn", "BSN or education number"),
                    ("enrolled_on", "Enrolment date"),
                    ("withdrawn_on", "Withdrawal date"),
                    ("withdrawal_destination", "Where the pupil went after leaving"),
                    ("progress", "Progress and grades"),
                ],
                max_length=40,
                verbose_name="attribute",
            ),
        ),
    ]
