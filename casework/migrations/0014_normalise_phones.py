"""Stored phone numbers in E.164 (issue 10 item 11): what parses as a number (Italian when
it has no international prefix) is rewritten as "+39..."; what does not is left as it was
typed, shown as it is and refused by the form at the next edit. The counts, and no number,
go to the migration's output."""

import phonenumbers
from django.db import migrations


def normalise_phones(apps, schema_editor):
    Person = apps.get_model("casework", "Person")
    normalised = unparsable = 0
    for pk, phone in Person.objects.exclude(phone="").values_list("pk", "phone").iterator():
        text = phone.strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        try:
            number = phonenumbers.parse(text, "IT")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            unparsable += 1
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 != phone:
            Person.objects.filter(pk=pk).update(phone=e164)
            normalised += 1
    if normalised or unparsable:
        print(
            f"\n  Telefoni: {normalised} normalizzati in E.164, {unparsable} lasciati come erano."
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0013_long_texts_limited")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
