"""Reference data: Québec's 17 administrative regions and the territories of
Capitale-Nationale (2021 census populations, Statistics Canada geographic
codes). Loaded by a data migration so that every database has them."""

REGIONS: list[tuple[str, str]] = [
    ("01", "Bas-Saint-Laurent"),
    ("02", "Saguenay–Lac-Saint-Jean"),
    ("03", "Capitale-Nationale"),
    ("04", "Mauricie"),
    ("05", "Estrie"),
    ("06", "Montréal"),
    ("07", "Outaouais"),
    ("08", "Abitibi-Témiscamingue"),
    ("09", "Côte-Nord"),
    ("10", "Nord-du-Québec"),
    ("11", "Gaspésie–Îles-de-la-Madeleine"),
    ("12", "Chaudière-Appalaches"),
    ("13", "Laval"),
    ("14", "Lanaudière"),
    ("15", "Laurentides"),
    ("16", "Montérégie"),
    ("17", "Centre-du-Québec"),
]

# (code, name, kind, population 2021, enclosed by)
CAPITALE_NATIONALE_TERRITORIES: list[tuple[str, str, str, int | None, str | None]] = [
    ("2415", "Charlevoix-Est", "mrc", 15409, None),
    ("2416", "Charlevoix", "mrc", 13371, None),
    ("2420", "L'Île-d'Orléans", "mrc", 6817, None),
    ("2421", "La Côte-de-Beaupré", "mrc", 30240, None),
    ("2422", "La Jacques-Cartier", "mrc", 47813, None),
    ("2423", "Agglomération de Québec", "agglomeration", 588777, None),
    ("2434", "Portneuf", "mrc", 55523, None),
    # Wendake, of the Huron-Wendat Nation, is enclosed by the city of Québec.
    ("2423802", "Wendake", "nation", None, "2423"),
]
