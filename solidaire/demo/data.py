"""Fixed material of the Capitale-Nationale demo: the programme's real
figures from the press release, and fictional people and organisations.

Every organisation and person here is invented; the region, its territories,
the trustee, the envelope, the work plan's objectives and the grid's
criteria are the real ones (see ``shared/seed`` and DESIGN.md).
"""

from __future__ import annotations

from decimal import Decimal

PROGRAMME_NAME = "Alliance pour la solidarité — Capitale-Nationale"
PROGRAMME_SLUG = "capitale-nationale"
TRUSTEE = "Communauté métropolitaine de Québec"
FUNDER = (
    "Fonds québécois d'initiatives sociales (FQIS) — ministère du Travail, de l'Emploi "
    "et de la Solidarité sociale"
)
# 4 200 000,00 $ over five fiscal years, 2018-2019 to 2022-2023.
FIRST_FISCAL_YEAR = 2018
YEAR_ENVELOPES = [Decimal("840000.00")] * 5
ENVELOPE_TOTAL = Decimal("4200000.00")

# The first call's outcome, from the press release: 20 organisations, 1,2 M$.
CALL1_FUNDED_ORGANISATIONS = 20
CALL1_TOTAL = Decimal("1200000.00")
CALL1_RECEIVED = 69

# The two fiscal years before call 1's first one ended with nothing committed.
# With the funder's authorisation, part of the second one's balance is carried
# over to the current year; the rest of both years has lapsed.
CARRY_OVER_AMOUNT = Decimal("300000.00")
CARRY_OVER_REASON = (
    "Le premier appel n'a pu être lancé qu'à l'automne 2019 : une partie des sommes de "
    "l'exercice est reportée pour le deuxième appel."
)
CARRY_OVER_AUTHORISATION = "MTESS-FQIS-2020-117"

# Capitale-Nationale's objectives for the first call (2020).
PRIORITIES = [
    (
        "conditions-de-vie",
        "Agir sur les conditions de vie",
        "Améliorer concrètement les conditions de vie des personnes en situation de pauvreté.",
    ),
    (
        "inclusion-participation",
        "Favoriser l'inclusion et la participation sociale",
        "Briser l'isolement et soutenir la participation sociale des personnes exclues.",
    ),
    (
        "biens-services-proximite",
        "Améliorer l'accès aux biens essentiels et aux services de proximité",
        "Alimentation, logement, transport et services accessibles près des milieux de vie.",
    ),
    (
        "pouvoir-agir",
        "Renforcer le pouvoir d'agir des communautés",
        "Soutenir la mobilisation des milieux et la prise de parole des personnes concernées.",
    ),
]

# The evaluation grid of the first call: the press release's four criteria.
CRITERIA = [
    (
        "inclusion-personnes",
        "Inclusion des personnes en situation de pauvreté à chaque étape",
        "Les personnes vivant une situation de pauvreté et d'exclusion participent à la "
        "conception, à la réalisation et à l'évaluation de l'initiative.",
        Decimal("30"),
    ),
    (
        "enracinement",
        "Enracinement de l'initiative dans sa communauté",
        "L'organisme et l'initiative sont ancrés dans le milieu et reconnus par lui.",
        Decimal("25"),
    ),
    (
        "mobilisation",
        "Mobilisation des acteurs du milieu",
        "L'initiative réunit des partenaires locaux ou régionaux engagés.",
        Decimal("25"),
    ),
    (
        "besoins-exprimes",
        "Réponse aux besoins exprimés par les personnes concernées",
        "L'initiative répond à des problématiques vécues et à des besoins exprimés par les "
        "personnes concernées.",
        Decimal("20"),
    ),
]

SCALE = [
    (0, "Absent", "L'élément n'est pas traité dans la demande."),
    (1, "Très faible", "L'élément est mentionné sans démonstration."),
    (2, "Faible", "L'élément est présent mais peu développé ou peu convaincant."),
    (3, "Satisfaisant", "L'élément est démontré de façon suffisante."),
    (4, "Très bon", "L'élément est bien démontré, avec des exemples concrets."),
    (5, "Excellent", "L'élément est démontré de façon exemplaire et structurante."),
]

ELIGIBILITY_RULES = [
    (
        "type-organisme",
        "organisation_type",
        "L'organisme est un OBNL, une coopérative assimilée, un organisme municipal, "
        "un conseil de bande ou un centre de recherche sur la pauvreté.",
    ),
    ("montant", "amount_range", "Le montant demandé respecte les limites de l'appel."),
    (
        "part-depenses",
        "expense_share",
        "L'aide demandée n'excède pas 90 % des dépenses admissibles.",
    ),
    ("duree", "duration", "L'initiative se termine au plus tard le 31 mars 2023."),
    ("territoire", "territory", "L'initiative se réalise dans la région de la Capitale-Nationale."),
    ("documents", "documents", "Les documents obligatoires sont joints à la demande."),
]

REQUIRED_DOCUMENTS = [
    ("lettres-appui", "Lettres d'appui des partenaires", True),
    (
        "resolution-ca",
        "Résolution du conseil d'administration désignant la personne signataire",
        True,
    ),
    ("lettres-patentes", "Lettres patentes et règlements généraux", True),
    ("budget", "Formulaire de budget (coûts et financement)", True),
]

STREAMS = [
    ("local", "Volet local", "local", True),
    ("developpement-communautes", "Volet développement des communautés", "any", False),
    ("regional", "Volet régional", "regional", False),
]

# How the first call's 69 proposals and 20 retained organisations spread
# over streams and territories: (stream, territory code) → (received, retained).
# Local 13 + développement des communautés 5 + régional 2 = 20.
CALL1_LAYOUT: list[tuple[str, str | None, int, int]] = [
    ("local", "2423", 14, 4),
    ("local", "2434", 6, 2),
    ("local", "2422", 5, 2),
    ("local", "2421", 5, 1),
    ("local", "2416", 4, 1),
    ("local", "2415", 5, 1),
    ("local", "2420", 3, 1),
    ("local", "2423802", 4, 1),
    ("developpement-communautes", None, 15, 5),
    ("regional", None, 8, 2),
]
# What each stream's retained initiatives share (the whole is 1 200 000,00 $).
CALL1_STREAM_TOTALS = {
    "local": Decimal("745000.00"),
    "developpement-communautes": Decimal("315000.00"),
    "regional": Decimal("140000.00"),
}
# Range of a retained initiative's total, per stream (dollars).
CALL1_WINNER_RANGE = {
    "local": (35_000, 75_000, 25_000, 100_000),
    "developpement-communautes": (45_000, 80_000, 30_000, 100_000),
    "regional": (60_000, 80_000, 60_000, 80_000),
}
CALL1_OTHER_RANGE = {
    "local": (20_000, 110_000),
    "developpement-communautes": (30_000, 110_000),
    "regional": (60_000, 150_000),
}

# Places of each territory, already with their preposition.
PLACES: dict[str, list[str]] = {
    "2423": [
        "de Saint-Roch",
        "de Limoilou",
        "de Saint-Sauveur",
        "de Vanier",
        "de Charlesbourg",
        "de Beauport",
        "de Sainte-Foy",
        "de L'Ancienne-Lorette",
        "de Saint-Augustin-de-Desmaures",
        "du Vieux-Québec",
        "de Lairet",
        "de Duberger-Les Saules",
        "de Val-Bélair",
        "de Loretteville",
    ],
    "2434": ["de Saint-Raymond", "de Donnacona", "de Pont-Rouge", "de Saint-Marc-des-Carrières"],
    "2422": [
        "de Shannon",
        "de Sainte-Catherine-de-la-Jacques-Cartier",
        "de Stoneham",
        "de Lac-Beauport",
    ],
    "2421": ["de Beaupré", "de Château-Richer", "de Boischatel", "de Sainte-Anne-de-Beaupré"],
    "2416": ["de Baie-Saint-Paul", "des Éboulements", "de L'Isle-aux-Coudres"],
    "2415": ["de La Malbaie", "de Clermont", "de Saint-Siméon"],
    "2420": ["de l'Île-d'Orléans", "de Sainte-Famille", "de Saint-Pierre"],
    "2423802": ["de Wendake"],
}

ORGANISATION_KINDS = [
    "Carrefour familial",
    "Cuisine collective",
    "Maison des jeunes",
    "Centre d'entraide",
    "Comptoir alimentaire",
    "Regroupement des locataires",
    "Centre des femmes",
    "Groupe d'alphabétisation populaire",
    "Café communautaire",
    "Service d'entraide et de dépannage",
    "Atelier de réinsertion",
    "Maison de la famille",
    "Association des personnes aînées",
    "Ressource d'hébergement communautaire",
]
REGIONAL_ORGANISATIONS = [
    "Regroupement régional des cuisines collectives de la Capitale-Nationale",
    "Collectif régional pour le droit au logement",
    "Réseau régional d'alphabétisation populaire",
    "Table régionale des organismes communautaires en sécurité alimentaire",
    "Coalition régionale des groupes de femmes",
    "Centre de recherche appliquée sur la pauvreté et l'exclusion",
    "Regroupement régional en transport solidaire",
    "Fédération régionale des maisons de la famille",
]
DEVELOPMENT_ORGANISATIONS = [
    "Corporation de développement communautaire",
    "Table de concertation en développement social",
    "Comité de développement social",
    "Coopérative de solidarité",
]

THEMES = [
    "Cuisines collectives et repas partagés",
    "Épicerie solidaire de proximité",
    "Accompagnement vers un logement stable",
    "Ateliers d'alphabétisation et de francisation",
    "Transport solidaire vers les services",
    "Jardins communautaires et autonomie alimentaire",
    "Halte-garderie pour parents en démarche",
    "Friperie solidaire et insertion socioprofessionnelle",
    "Comité de citoyennes et citoyens en situation de pauvreté",
    "Brigade de voisinage contre l'isolement",
    "Clinique d'impôts et d'accès aux droits",
    "Travail de rue et de proximité",
    "Parcours d'insertion pour jeunes adultes",
    "Soutien aux personnes aînées isolées",
]
DEVELOPMENT_THEMES = [
    "Démarche de revitalisation intégrée du quartier",
    "Plan d'action concerté en développement social",
    "Mobilisation citoyenne pour un milieu de vie inclusif",
    "Laboratoire de solutions en sécurité alimentaire",
    "Agent de développement de milieu",
]
REGIONAL_THEMES = [
    "Formation régionale à la participation des personnes concernées",
    "Observatoire régional des réalités de la pauvreté",
    "Réseau régional de transport solidaire",
    "Stratégie régionale d'accès au logement abordable",
]

FIRST_NAMES = [
    "Geneviève", "Martin", "Sophie", "Julie", "Alain", "Isabelle", "Mathieu", "Nathalie",
    "François", "Catherine", "Étienne", "Marie-Ève", "Louis", "Annie", "Pierre-Luc", "Mélanie",
    "Guillaume", "Chantal", "Sébastien", "Valérie", "Jean-François", "Karine", "Olivier",
    "Émilie", "Simon", "Caroline", "Patrick", "Josée", "Marc-André", "Audrey",
]  # fmt: skip
LAST_NAMES = [
    "Tremblay", "Gagnon", "Bouchard", "Côté", "Lévesque", "Gauthier", "Morin", "Lavoie",
    "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Roy", "Bergeron", "Simard",
    "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Girard",
    "Paquette", "Lapointe", "Desjardins", "Leclerc", "Savard", "Picard",
]  # fmt: skip

COMMITTEE_AFFILIATIONS = {
    "municipal": [
        "Ville de Québec",
        "MRC de Portneuf",
        "MRC de Charlevoix",
        "MRC de La Côte-de-Beaupré",
        "MRC de La Jacques-Cartier",
    ],
    "government": [
        "Ministère du Travail, de l'Emploi et de la Solidarité sociale",
        "Services Québec — Capitale-Nationale",
        "CIUSSS de la Capitale-Nationale",
        "Ministère des Affaires municipales et de l'Habitation",
        "Office municipal d'habitation de Québec",
    ],
    "community": [
        "Regroupement des organismes communautaires de la région 03",
        "Corporation de développement communautaire de Charlevoix",
        "Collectif pour un Québec sans pauvreté — Capitale-Nationale",
        "Table de concertation des groupes de femmes",
        "Conseil de la Nation huronne-wendat",
    ],
    "philanthropic": [
        "Fondation de la solidarité de Québec",
        "Fonds communautaire de la Capitale",
        "Fondation des familles de Charlevoix",
        "Fondation pour l'inclusion sociale de Portneuf",
        "Centre philanthropique régional de Québec",
    ],
}

DEMO_PASSWORD = "solidaire-demo"


# ------------------------------------------------------------------------
# A second, smaller programme in another region, so that several regions
# live in one instance and each committee sees only its own. Its envelope,
# organisations, people and call are invented for the demo; its territories
# are the region's real MRCs (Statistics Canada census division codes;
# populations of the 2021 census, rounded to the hundred).
SECOND_REGION = "12"
SECOND_PROGRAMME_NAME = "Alliance pour la solidarité — Chaudière-Appalaches"
SECOND_PROGRAMME_SLUG = "chaudiere-appalaches"
SECOND_TRUSTEE = "Fiducie régionale de solidarité de la Chaudière-Appalaches"
# 1 500 000,00 $ over the same five fiscal years.
SECOND_YEAR_ENVELOPES = [Decimal("300000.00")] * 5
SECOND_ENVELOPE_TOTAL = Decimal("1500000.00")

SECOND_TERRITORIES: list[tuple[str, str, str, int]] = [
    ("2417", "L'Islet", "mrc", 17600),
    ("2418", "Montmagny", "mrc", 22600),
    ("2419", "Bellechasse", "mrc", 38100),
    ("2425", "Lévis", "agglomeration", 149700),
    ("2426", "La Nouvelle-Beauce", "mrc", 38700),
    ("2427", "Beauce-Centre", "mrc", 19500),
    ("2428", "Les Etchemins", "mrc", 16600),
    ("2429", "Beauce-Sartigan", "mrc", 53900),
    ("2431", "Les Appalaches", "mrc", 42300),
    ("2433", "Lotbinière", "mrc", 33100),
]

SECOND_STREAMS = [
    ("local", "Volet local", "local", False),
    ("regional", "Volet régional", "regional", False),
]
SECOND_ELIGIBILITY_RULES = [
    *ELIGIBILITY_RULES[:4],
    (
        "territoire",
        "territory",
        "L'initiative se réalise dans la région de la Chaudière-Appalaches.",
    ),
    ELIGIBILITY_RULES[5],
]
# What each stream of the call has, per fiscal year from 2020-2021 (two years).
SECOND_ALLOCATIONS = {
    "local": [Decimal("110000.00"), Decimal("90000.00")],
    "regional": [Decimal("40000.00"), Decimal("35000.00")],
}
# (organisation, territory, stream, title, eligible)
SECOND_PROPOSALS: list[tuple[str, str, str, str, bool]] = [
    ("Cuisine collective de Lévis", "2425", "local", "Cuisines collectives et repas partagés", True),
    ("Maison de la famille de Bellechasse", "2419", "local",
     "Halte-garderie pour parents en démarche", True),
    ("Centre d'entraide de Saint-Georges", "2429", "local",
     "Épicerie solidaire de proximité", True),
    ("Comptoir alimentaire de Thetford Mines", "2431", "local",
     "Jardins communautaires et autonomie alimentaire", True),
    ("Carrefour familial de Montmagny", "2418", "local",
     "Brigade de voisinage contre l'isolement", True),
    ("Café communautaire de Sainte-Marie", "2426", "local",
     "Soutien aux personnes aînées isolées", True),
    ("Atelier de réinsertion de Lac-Etchemin", "2428", "local",
     "Parcours d'insertion pour jeunes adultes", True),
    ("Regroupement des locataires de Lotbinière", "2433", "local",
     "Accompagnement vers un logement stable", True),
    ("Groupe d'alphabétisation populaire de L'Islet", "2417", "local",
     "Ateliers d'alphabétisation et de francisation", True),
    ("Transport solidaire Beauce-Centre inc.", "2427", "local",
     "Transport solidaire vers les services", False),
    ("Réseau régional d'entraide de la Chaudière-Appalaches", "2425", "regional",
     "Formation régionale à la participation des personnes concernées", True),
    ("Table régionale en sécurité alimentaire de la Chaudière-Appalaches", "2426", "regional",
     "Laboratoire de solutions en sécurité alimentaire", True),
]  # fmt: skip


# The rule the committee records before reading its ranking, to break a tie
# at the funding line.
TIE_BREAK_RULE = (
    "À score égal au seuil de financement, la proposition qui associe le plus de personnes "
    "en situation de pauvreté à sa conception passe en premier ; à égalité encore, un tirage "
    "au sort est fait en séance et inscrit au procès-verbal."
)

# The panel's questions, in plain language (French, English).
PANEL_QUESTIONS = [
    (
        "Ce projet peut-il changer quelque chose dans la vie des personnes concernées ?",
        "Can this project change something in the lives of the people concerned?",
    ),
    (
        "Les personnes en situation de pauvreté ont-elles leur mot à dire dans ce projet ?",
        "Do people living in poverty have a say in this project?",
    ),
    (
        "Est-ce facile pour quelqu'un comme vous d'y participer ?",
        "Is it easy for someone like you to take part?",
    ),
]
