"""What the synthetic data is drawn from: names, places, shares and weights.

The names are common Italian (and foreign) first names and surnames combined at random:
they are not people. Shares follow DESIGN.md and the article (72 people in the first
quarter, mostly aged 18–35, mostly from the Casalasco district, about 2 meetings each).
"""

from __future__ import annotations

import datetime as dt

from casework.choices import (
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    LabourStatus,
    MeetingMode,
    Need,
    ReferralKind,
    ReferralOutcome,
)


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES_IT = [
    *_words(
        "Rossi Ferrari Bianchi Colombo Bertoli Bonvicini Superti Zanoni Ghisolfi Feraboli Bodini "
        "Galli Zaffanella Azzali Bassi Bertolotti Rizzi Araldi Storti Vezzoni Tosi Mantovani "
        "Pezzini Frosi Barbieri Bettoni Gandolfi Marenghi Capelli Sanfelici Stringhini Toscani "
        "Bolzoni Ghezzi Corbari Carra Gozzi Ruggeri Maffezzoni Bernardi Bellini Tirelli Gualtieri "
        "Mondini Manfredini Bergamaschi Ferrarini Arcari Zanichelli Cavalli Bonaldi Zanetti "
        "Pedrazzini Bottoli Anselmi Guarneri Ghidetti Viola Pasquali Ravara Chiozzi Conti Fontana "
        "Moretti Ricci Marchetti Lombardi Martini Grandi Negri Zani Cantoni Freddi Ziliani "
        "Bazzani Aroldi Rebecchi Soldi Gorni Frigeri Nolli Bergonzi Vaccari Cerioli Sartori "
        "Mazzolari Feroldi Scaglioni Ventura Esposito Russo Romano Greco Bruno Gallo Costa"
    ),
    "Lodi Rizzini",
    "Dall'Asta",
    "Dalla Costa",
    "De Santis",
    "Dell'Aglio",
    "Nicolò",
]
FIRST_NAMES_IT = {
    "F": _words(
        "Giulia Chiara Sara Francesca Martina Elena Valentina Silvia Alessia Federica Laura "
        "Anna Paola Elisa Serena Roberta Monica Barbara Cristina Daniela Manuela Giorgia "
        "Alice Beatrice Greta Noemi Marta Ilaria Veronica Sofia Aurora Lucia Stefania Erica"
    ),
    "M": [
        *_words(
            "Marco Luca Andrea Paolo Matteo Alessandro Davide Simone Stefano Francesco Lorenzo "
            "Riccardo Federico Giorgio Massimo Roberto Fabio Daniele Michele Gabriele Emanuele "
            "Tommaso Filippo Giacomo Mattia Nicola Pietro Enrico Claudio Mirko Alberto Diego"
        ),
        "Nicolò",
        "Mosè",
    ],
}
# Born abroad: country code (codice fiscale), weight, group of names.
BIRTH_COUNTRIES = (
    ("Z129", 5.0, "ro"),
    ("Z127", 0.8, "ro"),
    ("Z104", 0.7, "ro"),
    ("Z330", 4.0, "ar"),
    ("Z336", 1.0, "ar"),
    ("Z352", 1.0, "ar"),
    ("Z222", 4.0, "in"),
    ("Z236", 1.2, "in"),
    ("Z249", 0.6, "in"),
    ("Z100", 2.0, "al"),
    ("Z138", 2.0, "ua"),
    ("Z140", 1.0, "ua"),
    ("Z343", 1.5, "af"),
    ("Z335", 1.0, "af"),
    ("Z318", 1.0, "af"),
    ("Z210", 1.0, "cn"),
    ("Z216", 0.5, "cn"),
    ("Z602", 0.5, "la"),
    ("Z611", 0.5, "la"),
)
FOREIGN_NAMES = {
    "ro": (
        "Popescu Ionescu Stan Dumitru Constantin Moldovan Kowalski Nowak Petrov",
        "Andrei Mihai Ionut Bogdan Piotr",
        "Elena Ioana Maria Andreea Agnieszka",
    ),
    "ar": (
        "El Amrani Benali Haddad Mansour Trabelsi Saidi Farouk",
        "Mohamed Youssef Karim Omar Ahmed",
        "Fatima Amina Khadija Salma Yasmine",
    ),
    "in": (
        "Singh Kaur Kumar Sharma Ali Khan Hossain",
        "Gurpreet Harpreet Rajesh Amit Imran",
        "Simran Priya Navdeep Sunita Ayesha",
    ),
    "al": (
        "Hoxha Shehu Berisha Krasniqi Gjoka",
        "Arben Ergys Klajdi Besnik Ardit",
        "Elira Anisa Klea Jonida Arta",
    ),
    "ua": (
        "Shevchenko Kovalenko Bondarenko Tkachenko Rusu Ceban",
        "Oleksandr Andrii Dmytro Serghei Ion",
        "Olena Iryna Natalia Tetiana Svetlana",
    ),
    "af": (
        "Diop Ndiaye Fall Okafor Mensah Boateng Traore",
        "Mamadou Ibrahima Chinedu Kwame Moussa",
        "Awa Fatou Grace Aminata Blessing",
    ),
    "cn": (
        "Wang Li Zhang Chen Liu Santos Reyes",
        "Wei Jun Hao Jose Mark",
        "Mei Xin Ying Maria Joy",
    ),
    "la": (
        "Silva Oliveira Quispe Flores Souza Mendoza",
        "Joao Carlos Luis Diego Rafael",
        "Ana Camila Rosa Daniela Beatriz",
    ),
}

CASALASCO_WEIGHTS = {
    "Casalmaggiore": 15.0,
    "Piadena Drizzona": 4.0,
    "Gussola": 2.8,
    "San Giovanni in Croce": 1.9,
    "Rivarolo del Re ed Uniti": 2.0,
    "Martignana di Po": 2.0,
    "Scandolara Ravara": 1.4,
    "Cingia de' Botti": 1.2,
    "Calvatone": 1.2,
    "Motta Baluffi": 0.9,
    "Solarolo Rainerio": 1.0,
    "Torricella del Pizzo": 0.6,
    "Casteldidone": 0.6,
    "Spineda": 0.6,
    "San Martino del Lago": 0.5,
    "Tornata": 0.5,
    "Voltido": 0.4,
}
NEAR_COMUNI = {  # neighbours outside the district, by weight
    "Cremona": 5.0,
    "Torre de' Picenardi": 1.0,
    "San Daniele Po": 1.0,
    "Isola Dovarese": 0.8,
    "Pieve San Giacomo": 0.8,
    "Viadana": 5.0,
    "Sabbioneta": 2.0,
    "Bozzolo": 2.0,
    "Rivarolo Mantovano": 1.5,
    "Dosolo": 1.0,
    "Pomponesco": 1.0,
    "Commessaggio": 0.8,
    "Marcaria": 1.2,
    "Mantova": 1.5,
    "Colorno": 1.5,
    "Parma": 1.0,
    "Sissa Trecasali": 0.6,
    "Brescia": 0.5,
    "Milano": 0.5,
}
# Shares of residence: district, named neighbours, anywhere in CR/MN, anywhere else, abroad.
RESIDENCE_SHARES = (
    ("casalasco", 83.0),
    ("near", 9.0),
    ("province", 4.5),
    ("italy", 2.5),
    ("abroad", 1.0),
)

DESK_WEIGHTS = {
    "casalmaggiore": 1.6,
    "piadena-drizzona": 0.9,
    "san-giovanni-in-croce": 0.8,
    "gussola": 0.8,
}
# Opening dates the seed data leaves empty ("between February and April 2021").
ASSUMED_OPENING = dt.date(2021, 2, 15)
# The article's first quarter: 72 people taken in from the first opening to 30 April 2021.
ARTICLE_QUARTER = (dt.date(2021, 1, 28), dt.date(2021, 4, 30))
ARTICLE_PEOPLE = 72

# Meetings per person: 0..5, mean about 2 (the article: "in media 2 incontri").
MEETINGS_PER_PERSON = (0.10, 0.26, 0.32, 0.19, 0.08, 0.05)
REFERRALS_PER_INTAKE = (0.55, 0.30, 0.12, 0.03)  # mean about 0.63
AGE_BRACKETS = (
    ((16, 17), 1.5),
    ((18, 24), 24.0),
    ((25, 29), 20.0),
    ((30, 35), 16.0),
    ((36, 44), 13.0),
    ((45, 54), 18.0),
    ((55, 64), 7.5),
)
GENDERS = (
    (Gender.WOMAN, 52.0),
    (Gender.MAN, 45.5),
    (Gender.NON_BINARY, 1.2),
    (Gender.NOT_STATED, 1.3),
)
E = EducationLevel
EDUCATION_BY_AGE = {  # (young < 30, middle < 45, older)
    "young": (
        (E.NONE, 1),
        (E.PRIMARY, 1),
        (E.LOWER_SECONDARY, 18),
        (E.VOCATIONAL, 14),
        (E.UPPER_SECONDARY, 38),
        (E.POST_SECONDARY, 2),
        (E.SHORT_TERTIARY, 3),
        (E.BACHELOR, 13),
        (E.MASTER, 9),
        (E.DOCTORATE, 1),
    ),
    "middle": (
        (E.NONE, 2),
        (E.PRIMARY, 2),
        (E.LOWER_SECONDARY, 22),
        (E.VOCATIONAL, 14),
        (E.UPPER_SECONDARY, 33),
        (E.POST_SECONDARY, 2),
        (E.SHORT_TERTIARY, 2),
        (E.BACHELOR, 11),
        (E.MASTER, 11),
        (E.DOCTORATE, 1),
    ),
    "older": (
        (E.NONE, 3),
        (E.PRIMARY, 6),
        (E.LOWER_SECONDARY, 35),
        (E.VOCATIONAL, 16),
        (E.UPPER_SECONDARY, 28),
        (E.POST_SECONDARY, 1),
        (E.SHORT_TERTIARY, 0.5),
        (E.BACHELOR, 5),
        (E.MASTER, 5),
        (E.DOCTORATE, 0.5),
    ),
}
L = LabourStatus
LABOUR_BY_AGE = {
    "minor": ((L.STUDENT, 70), (L.UNEMPLOYED, 20), (L.INACTIVE, 10)),
    "young": ((L.UNEMPLOYED, 55), (L.STUDENT, 20), (L.INACTIVE, 10), (L.EMPLOYED, 15)),
    "adult": ((L.UNEMPLOYED, 62), (L.INACTIVE, 15), (L.EMPLOYED, 23)),
    "older": ((L.UNEMPLOYED, 65), (L.INACTIVE, 20), (L.EMPLOYED, 15)),
}
CHANNELS = (
    (IntakeChannel.WALK_IN, 35),
    (IntakeChannel.PHONE, 15),
    (IntakeChannel.EMAIL, 8),
    (IntakeChannel.SOCIAL_SERVICES, 12),
    (IntakeChannel.JOB_CENTRE, 12),
    (IntakeChannel.PARTNER, 8),
    (IntakeChannel.WORD_OF_MOUTH, 10),
)
NEEDS = {
    Need.GUIDANCE: (
        "Capire quale lavoro cercare dopo gli studi.",
        "Fare il punto sulle proprie competenze.",
        "",
    ),
    Need.JOB_SEARCH: (
        "Aggiornare il curriculum e capire quali canali usare.",
        "Prepararsi ai colloqui di lavoro.",
        "",
    ),
    Need.TRAINING: (
        "Cerca un corso di specializzazione in zona.",
        "Vuole riqualificarsi dopo la chiusura dell'azienda.",
        "",
    ),
    Need.INTERNSHIP: ("Interessata/o a un tirocinio in azienda.", ""),
    Need.MEASURES: (
        "Chiede informazioni su GOL e Dote Unica Lavoro.",
        "Chiede informazioni su Garanzia Giovani.",
        "",
    ),
    Need.OTHER: ("Informazioni generali sui servizi del territorio.",),
}
NEED_WEIGHTS = (
    (Need.GUIDANCE, 30),
    (Need.JOB_SEARCH, 35),
    (Need.TRAINING, 15),
    (Need.INTERNSHIP, 8),
    (Need.MEASURES, 10),
    (Need.OTHER, 2),
)
# Remote meetings were the rule while public offices were closed (spring 2021).
MODES_2021H1 = (
    (MeetingMode.IN_PERSON, 45),
    (MeetingMode.PHONE, 30),
    (MeetingMode.VIDEO, 18),
    (MeetingMode.EMAIL, 7),
)
MODES_LATER = (
    (MeetingMode.IN_PERSON, 62),
    (MeetingMode.PHONE, 20),
    (MeetingMode.VIDEO, 12),
    (MeetingMode.EMAIL, 6),
)
REMOTE_UNTIL = dt.date(2021, 6, 1)
SHOW_RATE = {
    MeetingMode.IN_PERSON: 0.90,
    MeetingMode.PHONE: 0.93,
    MeetingMode.VIDEO: 0.92,
    MeetingMode.EMAIL: 0.98,
}
DURATIONS = {
    MeetingMode.IN_PERSON: (30, 45, 45, 60, 60, 90),
    MeetingMode.VIDEO: (30, 45, 45, 60),
    MeetingMode.PHONE: (15, 20, 30, 30, 45),
    MeetingMode.EMAIL: (10, 15, 20),
}
MEETING_NOTES = (
    "",
    "",
    "",
    "",
    "Curriculum rivisto insieme.",
    "Individuati tre annunci da inviare.",
    "Simulazione di colloquio.",
    "Iscrizione al portale regionale.",
    "Da ricontattare dopo l'esito della candidatura.",
)
NO_SHOW_NOTE = "Non si è presentata/o: ricontattata/o per un nuovo appuntamento."
ACTIVITY_WEIGHTS = {
    "orientamento": 5,
    "bilancio-competenze": 3,
    "cv": 5,
    "canali-ricerca": 4,
    "preparazione-colloquio": 3,
    "info-corsi": 3,
    "info-misure": 3,
    "candidatura": 3,
}
K = ReferralKind
REFERRAL_KINDS = (
    (K.VOCATIONAL_COURSE, 18),
    (K.SPECIALISATION_COURSE, 8),
    (K.JOB_CANDIDACY, 30),
    (K.INTERNSHIP, 14),
    (K.SIL, 6),
    (K.GOL, 12),
    (K.DOTE_UNICA, 6),
    (K.GARANZIA_GIOVANI, 8),
    (K.OTHER_MEASURE, 4),
)
REFERRAL_PARTNERS = {  # partner name (or None), weight
    K.JOB_CANDIDACY: (("Mestieri Lombardia", 70), ("Energheia Impresa Sociale", 30)),
    K.INTERNSHIP: (
        ("Mestieri Lombardia", 60),
        ("SIL Con.Ca.S.S.", 25),
        ("Energheia Impresa Sociale", 15),
    ),
    K.SIL: (("SIL Con.Ca.S.S.", 1),),
    K.VOCATIONAL_COURSE: (
        ("Energheia Impresa Sociale", 60),
        ("Mestieri Lombardia", 20),
        (None, 20),
    ),
    K.SPECIALISATION_COURSE: (("Energheia Impresa Sociale", 50), (None, 50)),
    K.GOL: (("Mestieri Lombardia", 50), (None, 50)),
    K.DOTE_UNICA: (("Mestieri Lombardia", 60), (None, 40)),
    K.GARANZIA_GIOVANI: (("Mestieri Lombardia", 50), (None, 50)),
    K.OTHER_MEASURE: (("Energheia Impresa Sociale", 30), (None, 70)),
}
REFERRAL_DESCRIPTIONS = {
    K.VOCATIONAL_COURSE: (
        "Corso per operatore di magazzino e carrellista",
        "Corso di saldatura",
        "Corso ASA/OSS",
        "Corso di contabilità di base",
    ),
    K.SPECIALISATION_COURSE: (
        "Corso di specializzazione in logistica",
        "Corso CAD",
        "Corso di lingua inglese B1",
    ),
    K.JOB_CANDIDACY: (
        "Addetto/a al confezionamento",
        "Operaio/a agroalimentare",
        "Impiegato/a amministrativo/a",
        "Magazziniere/a",
        "Addetto/a alle pulizie",
        "Commesso/a",
    ),
    K.INTERNSHIP: (
        "Tirocinio in azienda metalmeccanica",
        "Tirocinio in cooperativa sociale",
        "Tirocinio in ufficio amministrativo",
    ),
    K.SIL: ("Percorso di inserimento lavorativo",),
    K.GOL: ("Patto di servizio GOL",),
    K.DOTE_UNICA: ("Dote Unica Lavoro",),
    K.GARANZIA_GIOVANI: ("Adesione a Garanzia Giovani",),
    K.OTHER_MEASURE: ("Servizio di conciliazione", ""),
}
Out = ReferralOutcome
OUTCOMES = {
    "candidacy": (
        (Out.HIRED, 20),
        (Out.NOT_SELECTED, 35),
        (Out.NO_RESPONSE, 20),
        (Out.WITHDRAWN, 5),
        (Out.PENDING, 20),
    ),
    "internship": (
        (Out.INTERNSHIP_STARTED, 50),
        (Out.WITHDRAWN, 10),
        (Out.PENDING, 15),
        (Out.NOT_SELECTED, 15),
        (Out.NO_RESPONSE, 10),
    ),
    "course": (
        (Out.COURSE_STARTED, 45),
        (Out.QUALIFICATION, 15),
        (Out.WITHDRAWN, 12),
        (Out.PENDING, 18),
        (Out.NO_RESPONSE, 10),
    ),
    "measure": (
        (Out.PENDING, 30),
        (Out.COURSE_STARTED, 20),
        (Out.HIRED, 10),
        (Out.INTERNSHIP_STARTED, 10),
        (Out.WITHDRAWN, 10),
        (Out.NO_RESPONSE, 20),
    ),
    "sil": ((Out.INTERNSHIP_STARTED, 40), (Out.HIRED, 10), (Out.PENDING, 40), (Out.WITHDRAWN, 10)),
}
OUTCOME_GROUP = {
    K.JOB_CANDIDACY: "candidacy",
    K.INTERNSHIP: "internship",
    K.SIL: "sil",
    K.VOCATIONAL_COURSE: "course",
    K.SPECIALISATION_COURSE: "course",
}
CLOSURE_FOR_OUTCOME = {
    Out.HIRED: ClosureReason.HIRED,
    Out.INTERNSHIP_STARTED: ClosureReason.INTERNSHIP,
    Out.COURSE_STARTED: ClosureReason.COURSE,
    Out.QUALIFICATION: ClosureReason.GOALS_MET,
}
CLOSURES = (
    (ClosureReason.GOALS_MET, 25),
    (ClosureReason.WITHDRAWN, 35),
    (ClosureReason.OTHER_SERVICE, 15),
    (ClosureReason.MOVED, 10),
    (ClosureReason.OTHER, 15),
)
HOLIDAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}
SECOND_DESK_SHARE = 0.05
CHUNK_PEOPLE = 5000
DIGIT_POSITIONS = (14, 13, 12, 10, 9, 7, 6)  # omocodia replaces digits from the right
OMOCODIA = dict(zip("0123456789", "LMNPQRSTUV", strict=True))
