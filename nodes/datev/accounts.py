"""The standard charts' accounts a shop's sales are booked on (SKR03 and SKR04, DATEV).

The revenue accounts are automatic ones (the tax is booked by the account, no tax key);
a tax advisor's own accounts replace any of them through the node's ``accounts``.
"""

from __future__ import annotations

CHARTS = {
    "SKR03": {
        "receivables": "10000",  # the first customer (Debitor) account
        "bank": "1200",
        "revenue_19": "8400",
        "revenue_7": "8300",
        "revenue_0": "8100",  # tax-free sales at home (§ 4 Nr. 8 ff. UStG)
        "revenue_eu": "8125",  # intra-community supplies (§ 4 Nr. 1b UStG)
        "revenue_export": "8120",  # exports outside the EU (§ 4 Nr. 1a UStG)
        "revenue_small_business": "8195",  # § 19 UStG
    },
    "SKR04": {
        "receivables": "10000",
        "bank": "1800",
        "revenue_19": "4400",
        "revenue_7": "4300",
        "revenue_0": "4100",
        "revenue_eu": "4125",
        "revenue_export": "4120",
        "revenue_small_business": "4185",
    },
}

# lexoffice's tax types (and the same words from any source) → the account for a 0 % line.
TAX_FREE_ACCOUNTS = {
    "intraCommunitySupply": "revenue_eu",
    "thirdPartyCountryDelivery": "revenue_export",
    "thirdPartyCountryService": "revenue_export",
    "vatfree": "revenue_small_business",
}


def revenue_account(accounts: dict[str, str], tax_type: str | None, rate: int) -> str:
    if tax_type in TAX_FREE_ACCOUNTS:
        return accounts[TAX_FREE_ACCOUNTS[tax_type]]
    return accounts[{19: "revenue_19", 7: "revenue_7", 0: "revenue_0"}[rate]]


def standard(chart: str, account_length: int) -> dict[str, str]:
    """The chart's accounts at this account length: general ledger accounts are extended
    with zeros to it, customer accounts have one digit more."""
    return {
        name: number.ljust(account_length + (name == "receivables"), "0")
        for name, number in CHARTS[chart].items()
    }
