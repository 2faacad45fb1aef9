"""Seed the privacy notice in force since the first desk opened, and give the privacy
permissions to the roles: administrators handle data requests and manage notices,
operators record acknowledgements and read the notices."""

import datetime as dt

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTICE_TEXT = """\
Informativa sul trattamento dei dati personali (artt. 13 e 14 del Regolamento UE 2016/679)

Titolare del trattamento: Consorzio Casalasco Servizi Sociali (Con.Ca.S.S.), capofila del \
progetto Activity.Cr, in collaborazione con Energheia Impresa Sociale e Mestieri Lombardia.

Finalità: accoglienza, orientamento e accompagnamento al lavoro presso gli sportelli \
Activity.Cr; invio a corsi, tirocini, servizi e misure di politica attiva; rendicontazione \
a Regione Lombardia e al Fondo Sociale Europeo, in forma aggregata.

Base giuridica: esecuzione di un compito di interesse pubblico (art. 6, par. 1, lett. e) e, \
per i dati particolari eventualmente forniti, motivi di interesse pubblico rilevante \
(art. 9, par. 2, lett. g).

Dati trattati: dati anagrafici e di contatto, codice fiscale, titolo di studio, condizione \
occupazionale, colloqui e invii; solo se comunicati dall'interessato, dati relativi a \
disabilità o condizioni di fragilità, visibili solo al personale autorizzato.

Conservazione: per il periodo previsto dal progetto e dagli obblighi di rendicontazione; \
trascorso il termine i dati sono resi anonimi e restano solo a fini statistici.

Diritti: accesso, rettifica, cancellazione, limitazione e opposizione, rivolgendosi a \
Con.Ca.S.S. o a qualsiasi sportello; reclamo al Garante per la protezione dei dati personali.\
"""

OPERATOR = "Operatore di sportello"
ADMINISTRATOR = "Amministratore"
PERMISSIONS = {
    OPERATOR: ["view_privacynotice", "view_privacyacknowledgement", "add_privacyacknowledgement"],
    ADMINISTRATOR: [
        *(
            f"{action}_{model}"
            for model in ("privacynotice", "privacyacknowledgement")
            for action in ("view", "add", "change", "delete")
        ),
        "handle_data_requests",
    ],
}


def seed(apps, schema_editor):
    app_config = apps.get_app_config("privacy")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    PrivacyNotice.objects.get_or_create(
        version="1.0", defaults={"text": NOTICE_TEXT, "valid_from": dt.date(2021, 1, 28)}
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames)
        )


def unseed(apps, schema_editor):
    apps.get_model("privacy", "PrivacyNotice").objects.filter(version="1.0").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_privacy_notice_and_acknowledgement"),
        ("casework", "0004_roles"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
