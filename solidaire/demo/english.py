"""English texts of the demo's programme data, by code, beside the French
ones of ``data`` (the French text is the programme's own; the English one is
what an English page reads)."""

from __future__ import annotations

# code → (name, description)
PRIORITIES = {
    "conditions-de-vie": (
        "Act on living conditions",
        "Make a concrete difference to the living conditions of people living in poverty.",
    ),
    "inclusion-participation": (
        "Foster inclusion and social participation",
        "Break isolation and support the social participation of excluded people.",
    ),
    "biens-services-proximite": (
        "Improve access to essential goods and local services",
        "Food, housing, transport and accessible services close to where people live.",
    ),
    "pouvoir-agir": (
        "Strengthen communities' power to act",
        "Support local mobilisation and give a voice to the people concerned.",
    ),
}

# code → (name, description)
CRITERIA = {
    "inclusion-personnes": (
        "Inclusion of people living in poverty at every stage",
        "People living in poverty and exclusion take part in designing, carrying out and "
        "evaluating the initiative.",
    ),
    "enracinement": (
        "Roots of the initiative in its community",
        "The organisation and the initiative are anchored in the community and recognised by it.",
    ),
    "mobilisation": (
        "Mobilisation of local actors",
        "The initiative brings together committed local or regional partners.",
    ),
    "besoins-exprimes": (
        "Response to needs expressed by the people concerned",
        "The initiative answers problems experienced and needs expressed by the people concerned.",
    ),
}

# value → (label, descriptor)
SCALE = {
    0: ("Absent", "The proposal does not address this element."),
    1: ("Very weak", "The element is mentioned without being demonstrated."),
    2: ("Weak", "The element is present but little developed or unconvincing."),
    3: ("Satisfactory", "The element is sufficiently demonstrated."),
    4: ("Very good", "The element is well demonstrated, with concrete examples."),
    5: ("Excellent", "The element is demonstrated in an exemplary, structuring way."),
}

# code → description
ELIGIBILITY_RULES = {
    "type-organisme": (
        "The organisation is a non-profit, a similar co-operative, a municipal body, a band "
        "council or a research centre on poverty."
    ),
    "montant": "The amount requested is within the call's limits.",
    "part-depenses": "The grant requested does not exceed 90% of eligible expenses.",
    "duree": "The initiative ends by 31 March 2023 at the latest.",
    "territoire": "The initiative takes place in the Capitale-Nationale region.",
    "documents": "The mandatory documents are attached to the proposal.",
}

# code → name
REQUIRED_DOCUMENTS = {
    "lettres-appui": "Partners' letters of support",
    "resolution-ca": "Board resolution naming the signatory",
    "lettres-patentes": "Letters patent and general by-laws",
    "budget": "Budget form (costs and funding)",
}

# code → name
STREAMS = {
    "local": "Local stream",
    "developpement-communautes": "Community development stream",
    "regional": "Regional stream",
}
