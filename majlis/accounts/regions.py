"""The region of each country, after the United Nations' M49 geoscheme.

Source: United Nations Statistics Division, "Standard country or area codes
for statistical use (M49)", https://unstats.un.org/unsd/methodology/m49/
(the "Overview" table: region, sub-region, intermediate region, ISO alpha-2).
Neither django-countries nor Babel carries this grouping, and the packages that
do either pull in pandas or have not been kept up, so the table is copied here,
grouped as the UN publishes it so that it can be checked line by line. A wrong
region is worse than none: ``test_regions.py`` pins known countries and checks
that every code django-countries offers has a region or is deliberately left out.

The grouping is statistical convenience, not a political statement; it is the
one the UN system uses in its own reports, which is why Majlis follows it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The five M49 regions; the values are their M49 codes."""

    AFRICA = "002", _("Africa")
    AMERICAS = "019", _("Americas")
    ASIA = "142", _("Asia")
    EUROPE = "150", _("Europe")
    OCEANIA = "009", _("Oceania")


# fmt: off
# (region, M49 code and name of the sub-region or intermediate region,
#  the ISO 3166-1 alpha-2 codes of its countries and areas)
M49_GROUPS: tuple[tuple[Region, str, tuple[str, ...]], ...] = (
    # Africa: Northern Africa
    (Region.AFRICA, "015 Northern Africa", ("DZ", "EG", "LY", "MA", "SD", "TN", "EH")),
    # Africa: Sub-Saharan Africa (202), by intermediate region
    (
        Region.AFRICA,
        "014 Eastern Africa",
        (
            "IO", "BI", "KM", "DJ", "ER", "ET", "TF", "KE", "MG", "MW", "MU",
            "YT", "MZ", "RE", "RW", "SC", "SO", "SS", "UG", "TZ", "ZM", "ZW",
        ),
    ),
    (
        Region.AFRICA,
        "017 Middle Africa",
        ("AO", "CM", "CF", "TD", "CG", "CD", "GQ", "GA", "ST"),
    ),
    (Region.AFRICA, "018 Southern Africa", ("BW", "SZ", "LS", "NA", "ZA")),
    (
        Region.AFRICA,
        "011 Western Africa",
        (
            "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR",
            "NE", "NG", "SH", "SN", "SL", "TG",
        ),
    ),
    # Americas: Latin America and the Caribbean (419), by intermediate region
    (
        Region.AMERICAS,
        "029 Caribbean",
        (
            "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM",
            "DO", "GD", "GP", "HT", "JM", "MQ", "MS", "PR", "BL", "KN", "LC",
            "MF", "VC", "SX", "TT", "TC", "VI",
        ),
    ),
    (
        Region.AMERICAS,
        "013 Central America",
        ("BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA"),
    ),
    (
        Region.AMERICAS,
        "005 South America",
        (
            "AR", "BO", "BV", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PY",
            "PE", "GS", "SR", "UY", "VE",
        ),
    ),
    # Americas: Northern America
    (Region.AMERICAS, "021 Northern America", ("BM", "CA", "GL", "PM", "US")),
    # Asia
    (Region.ASIA, "143 Central Asia", ("KZ", "KG", "TJ", "TM", "UZ")),
    # M49 lists Taiwan with China ("Taiwan Province of China" is not a separate
    # entry): in Eastern Asia either way.
    (
        Region.ASIA,
        "030 Eastern Asia",
        ("CN", "HK", "MO", "KP", "JP", "MN", "KR", "TW"),
    ),
    (
        Region.ASIA,
        "035 South-eastern Asia",
        ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"),
    ),
    (
        Region.ASIA,
        "034 Southern Asia",
        ("AF", "BD", "BT", "IN", "IR", "MV", "NP", "PK", "LK"),
    ),
    (
        Region.ASIA,
        "145 Western Asia",
        (
            "AM", "AZ", "BH", "CY", "GE", "IQ", "IL", "JO", "KW", "LB", "OM",
            "QA", "SA", "PS", "SY", "TR", "AE", "YE",
        ),
    ),
    # Europe
    (
        Region.EUROPE,
        "151 Eastern Europe",
        ("BY", "BG", "CZ", "HU", "PL", "MD", "RO", "RU", "SK", "UA"),
    ),
    (
        Region.EUROPE,
        "154 Northern Europe (with 830 Channel Islands)",
        (
            "AX", "DK", "EE", "FO", "FI", "GG", "JE", "IS", "IE", "IM", "LV",
            "LT", "NO", "SJ", "SE", "GB",
        ),
    ),
    (
        Region.EUROPE,
        "039 Southern Europe",
        (
            "AL", "AD", "BA", "HR", "GI", "GR", "VA", "IT", "MT", "ME", "MK",
            "PT", "SM", "RS", "SI", "ES",
        ),
    ),
    (
        Region.EUROPE,
        "155 Western Europe",
        ("AT", "BE", "FR", "DE", "LI", "LU", "MC", "NL", "CH"),
    ),
    # Oceania
    (
        Region.OCEANIA,
        "053 Australia and New Zealand",
        ("AU", "CX", "CC", "HM", "NZ", "NF"),
    ),
    (Region.OCEANIA, "054 Melanesia", ("FJ", "NC", "PG", "SB", "VU")),
    (
        Region.OCEANIA,
        "057 Micronesia",
        ("GU", "KI", "MH", "FM", "NR", "MP", "PW", "UM"),
    ),
    (
        Region.OCEANIA,
        "061 Polynesia",
        ("AS", "CK", "PF", "NU", "PN", "WS", "TK", "TO", "TV", "WF"),
    ),
)
# fmt: on

# Codes M49 puts in no region: Antarctica belongs only to "World".
NO_REGION = frozenset({"AQ"})

REGION_OF_COUNTRY: dict[str, Region] = {
    code: region for region, _group, codes in M49_GROUPS for code in codes
}


def region_of(country_code: str) -> Region | None:
    """The M49 region of an ISO 3166-1 alpha-2 code, or None for no region
    (Antarctica, a code M49 does not list such as Kosovo's XK, or no country)."""
    return REGION_OF_COUNTRY.get(country_code.upper())
