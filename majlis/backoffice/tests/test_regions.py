"""The M49 table: known countries in their region, and no code forgotten."""

import pytest
from django_countries.data import COUNTRIES

from majlis.accounts.regions import (
    M49_GROUPS,
    NO_REGION,
    REGION_OF_COUNTRY,
    Region,
    region_of,
)
from majlis.backoffice.selectors import region_mix

KNOWN = {
    # Africa, north and south of the Sahara, and the islands
    "MA": Region.AFRICA,
    "EG": Region.AFRICA,
    "SD": Region.AFRICA,
    "SS": Region.AFRICA,
    "EH": Region.AFRICA,
    "MR": Region.AFRICA,
    "NG": Region.AFRICA,
    "ZA": Region.AFRICA,
    "CD": Region.AFRICA,
    "MG": Region.AFRICA,
    "RE": Region.AFRICA,
    "CV": Region.AFRICA,
    "SH": Region.AFRICA,
    "IO": Region.AFRICA,
    # Americas, north, central, south and the Caribbean
    "MX": Region.AMERICAS,
    "US": Region.AMERICAS,
    "CA": Region.AMERICAS,
    "GL": Region.AMERICAS,
    "BM": Region.AMERICAS,
    "BR": Region.AMERICAS,
    "GT": Region.AMERICAS,
    "HT": Region.AMERICAS,
    "PR": Region.AMERICAS,
    "FK": Region.AMERICAS,
    "GF": Region.AMERICAS,
    # Asia, including the Middle East, the Caucasus and Cyprus as M49 has them
    "SA": Region.ASIA,
    "TR": Region.ASIA,
    "CY": Region.ASIA,
    "GE": Region.ASIA,
    "AM": Region.ASIA,
    "AZ": Region.ASIA,
    "IL": Region.ASIA,
    "PS": Region.ASIA,
    "AE": Region.ASIA,
    "IR": Region.ASIA,
    "AF": Region.ASIA,
    "KZ": Region.ASIA,
    "IN": Region.ASIA,
    "CN": Region.ASIA,
    "JP": Region.ASIA,
    "ID": Region.ASIA,
    "TL": Region.ASIA,
    # Europe
    "RU": Region.EUROPE,
    "UA": Region.EUROPE,
    "FR": Region.EUROPE,
    "GB": Region.EUROPE,
    "IS": Region.EUROPE,
    "CZ": Region.EUROPE,
    "MK": Region.EUROPE,
    "VA": Region.EUROPE,
    "GI": Region.EUROPE,
    "GG": Region.EUROPE,
    "AX": Region.EUROPE,
    "SJ": Region.EUROPE,
    # Oceania
    "AU": Region.OCEANIA,
    "NZ": Region.OCEANIA,
    "PG": Region.OCEANIA,
    "FJ": Region.OCEANIA,
    "GU": Region.OCEANIA,
    "UM": Region.OCEANIA,
    "PF": Region.OCEANIA,
    "NF": Region.OCEANIA,
}


@pytest.mark.parametrize(("code", "region"), sorted(KNOWN.items()))
def test_a_known_country_is_in_its_m49_region(code, region):
    assert region_of(code) is region
    assert region_of(code.lower()) is region


def test_every_country_django_countries_offers_has_a_region_or_is_left_out_on_purpose():
    offered = set(COUNTRIES)
    assert offered - set(REGION_OF_COUNTRY) == set(NO_REGION)
    assert set(REGION_OF_COUNTRY) <= offered  # no stray or mistyped code


def test_each_code_is_in_one_group_only():
    codes = [code for _region, _group, members in M49_GROUPS for code in members]
    assert len(codes) == len(set(codes)) == 248


def test_the_regions_are_the_five_of_m49_with_their_codes():
    assert {(r.value, r.label) for r in Region} == {
        ("002", "Africa"),
        ("019", "Americas"),
        ("142", "Asia"),
        ("150", "Europe"),
        ("009", "Oceania"),
    }


def test_antarctica_and_unlisted_codes_have_no_region():
    assert region_of("AQ") is None
    assert region_of("XK") is None  # Kosovo: not an M49 entry
    assert region_of("") is None


def test_the_mix_adds_countries_up_per_region_and_keeps_the_unknown_apart():
    mix = region_mix(
        [("MA", 3), ("EG", 2), ("FR", 4), ("", 2), ("AQ", 1), ("MX", 1), ("US", 1)]
    )
    assert mix == [
        ("Africa", 5),
        ("Europe", 4),
        ("Americas", 2),
        ("Country not given", 2),
        ("In no region", 1),
    ]
