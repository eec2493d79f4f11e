"""Reference data: the 17 regions and the territories of Capitale-Nationale,
in every database (loaded by a data migration)."""

from __future__ import annotations

import pytest

from solidaire.programmes.models import Region, Territory
from solidaire.programmes.reference import CAPITALE_NATIONALE_TERRITORIES, REGIONS


def test_reference_lists_the_17_regions_in_official_order():
    assert [code for code, _name in REGIONS] == [f"{n:02d}" for n in range(1, 18)]
    assert dict(REGIONS)["01"] == "Bas-Saint-Laurent"
    assert dict(REGIONS)["03"] == "Capitale-Nationale"
    assert dict(REGIONS)["17"] == "Centre-du-Québec"


@pytest.mark.django_db
def test_regions_are_in_the_database():
    assert list(Region.objects.values_list("code", "name")) == REGIONS


@pytest.mark.django_db
def test_capitale_nationale_territories_with_2021_population():
    territories = {
        t.name: t for t in Territory.objects.filter(region__code="03").select_related("within")
    }

    assert {name: t.population for name, t in territories.items()} == {
        "Charlevoix-Est": 15409,
        "Charlevoix": 13371,
        "L'Île-d'Orléans": 6817,
        "La Côte-de-Beaupré": 30240,
        "La Jacques-Cartier": 47813,
        "Agglomération de Québec": 588777,
        "Portneuf": 55523,
        "Wendake": None,
    }
    assert len(CAPITALE_NATIONALE_TERRITORIES) == len(territories) == 8
    wendake = territories["Wendake"]
    assert wendake.kind == Territory.Kind.NATION
    assert wendake.within == territories["Agglomération de Québec"]
    assert territories["Agglomération de Québec"].kind == Territory.Kind.AGGLOMERATION
    assert sum(t.population or 0 for t in territories.values()) == 757950
