"""The three sets of GB/T codes behind the GDP shares, from the classification catalogues of
`chanye.industries.classifications`:

- secondary_share: secondary industry by the NBS three-industry rule (B except 11, C except 43, D, E);
- digital_core_share: the digital-economy core industries, categories 01–04 of the 2021 catalogue;
- sei_share: the strategic emerging industries of the 2018 catalogue.

A GB/T class the 2021 or 2018 catalogue marks with * belongs to the set only in part; its value added counts
with the partial weight (0.5 unless the estimate is run with another, see `chanye.economy.services`).
"""

from decimal import Decimal

from chanye.economy.estimate import ONE, ZERO, Weigh, code_weights

SHARES = (
    ("secondary_share", "第二产业"),
    ("digital_core_share", "数字经济核心产业"),
    ("sei_share", "战略性新兴产业"),
)
SHARE_NAMES = dict(SHARES)
CATALOGUES = {"digital_core_share": "digital_core_2021", "sei_share": "sei_2018"}


def share_sets(partial_weight: Decimal) -> dict[str, Weigh]:
    """{share indicator code: the weight a GB/T code's value added counts with in its numerator}."""
    from chanye.industries.classifications import load, secondary_industry

    def secondary(code: str) -> Decimal:
        try:
            return ONE if secondary_industry(code) else ZERO
        except ValueError:  # not a GB/T 4754 code: in no set
            return ZERO

    sets: dict[str, Weigh] = {"secondary_share": secondary}
    for share, catalogue in CATALOGUES.items():
        sets[share] = code_weights(load(catalogue).codes(), partial_weight)
    return sets
