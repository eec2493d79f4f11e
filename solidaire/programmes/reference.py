"""Reference data: Québec's 17 administrative regions and the territories of
Capitale-Nationale (2021 census populations, Statistics Canada geographic
codes). Loaded by a data migration so that every database has them."""

from typing import Any

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


def reference_load(region_model: Any, territory_model: Any) -> None:
    """Create or refresh the regions and territories (idempotent).

    Takes the model classes so that the data migration can pass its
    historical models and everything else the real ones."""
    for code, name in REGIONS:
        region_model.objects.update_or_create(code=code, defaults={"name": name})
    region = region_model.objects.get(code="03")
    for code, name, kind, population, within in CAPITALE_NATIONALE_TERRITORIES:
        territory_model.objects.update_or_create(
            code=code,
            defaults={
                "region": region,
                "name": name,
                "kind": kind,
                "population": population,
                "within": territory_model.objects.get(code=within) if within else None,
            },
        )


def reference_ensure() -> None:
    """Load the reference data if it is missing (a test that flushed the
    database, for instance)."""
    from solidaire.programmes.models import Region, Territory

    if not Territory.objects.filter(code=CAPITALE_NATIONALE_TERRITORIES[-1][0]).exists():
        reference_load(Region, Territory)
