"""AJCC TNM and stage-group vocabulary by edition: pure functions.

Site-agnostic: the categories any site of the edition uses. A clinical value
is stored with its `c` prefix, a pathologic one with `p` (or `yp` after
neoadjuvant therapy); the prefix may be left out on entry.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

_T_CORE = (
    "TX",
    "T0",
    "Tis",
    "T1",
    "T1mi",
    "T1a",
    "T1b",
    "T1c",
    "T2",
    "T2a",
    "T2b",
    "T2c",
    "T3",
    "T3a",
    "T3b",
    "T3c",
    "T4",
    "T4a",
    "T4b",
    "T4c",
    "T4d",
    "Ta",
)
_N_CORE = (
    "NX",
    "N0",
    "N0(i+)",
    "N0(mol+)",
    "N1",
    "N1mi",
    "N1a",
    "N1b",
    "N1c",
    "N2",
    "N2a",
    "N2b",
    "N2c",
    "N3",
    "N3a",
    "N3b",
    "N3c",
)
_M_CORE = ("M0", "M0(i+)", "M1", "M1a", "M1b", "M1c")
_STAGE_CORE = (
    "0",
    "0a",
    "0is",
    "I",
    "IA",
    "IA1",
    "IA2",
    "IB",
    "IB1",
    "IB2",
    "IC",
    "II",
    "IIA",
    "IIA1",
    "IIA2",
    "IIB",
    "IIC",
    "III",
    "IIIA",
    "IIIB",
    "IIIC",
    "IIIC1",
    "IIIC2",
    "IV",
    "IVA",
    "IVB",
    "IVC",
    "Occult",
)

# What the 8th edition added to the 7th (lung IA3, melanoma M1d and IIID, ...).
EDITIONS: dict[int, dict[str, frozenset[str]]] = {
    7: {"T": frozenset(_T_CORE), "N": frozenset(_N_CORE), "M": frozenset(_M_CORE), "stage": frozenset(_STAGE_CORE)},
    8: {
        "T": frozenset((*_T_CORE, "T1a1", "T1a2")),
        "N": frozenset(_N_CORE),
        "M": frozenset((*_M_CORE, "M1d")),
        "stage": frozenset((*_STAGE_CORE, "IA3", "IB3", "IIID")),
    },
}
SUPPORTED_EDITIONS = tuple(EDITIONS)
_PREFIX = {"clinical": re.compile(r"^(y?c)?"), "pathologic": re.compile(r"^(y?p)?")}


@lru_cache(maxsize=4096)  # an import asks the same few categories thousands of times
def normalize_category(value: str, kind: str, axis: str, edition: int) -> str:
    """`value` as stored (e.g. 'cT2a', 'ypN1'), or ValueError naming what the edition allows."""
    if edition not in EDITIONS:
        raise ValueError(f"AJCC edition {edition} is not supported (use {', '.join(map(str, SUPPORTED_EDITIONS))})")
    text = value.strip().replace(" ", "")
    match = _PREFIX[kind].match(text)
    prefix = match.group(0) if match else ""
    core = text[len(prefix) :]
    allowed = _allowed(edition, axis)
    if core.casefold() not in allowed:
        raise ValueError(f"'{value}' is not an AJCC {edition}th edition {axis} category")
    default_prefix = "c" if kind == "clinical" else "p"
    return f"{prefix.lower() or default_prefix}{allowed[core.casefold()]}"


@lru_cache(maxsize=4096)
def normalize_stage_group(value: str, edition: int) -> str:
    """A stage group as stored (e.g. 'IIIA'), or ValueError."""
    if edition not in EDITIONS:
        raise ValueError(f"AJCC edition {edition} is not supported (use {', '.join(map(str, SUPPORTED_EDITIONS))})")
    text = value.strip().removeprefix("Stage ").removeprefix("stage ").replace(" ", "")
    allowed = _allowed(edition, "stage")
    if text.casefold() not in allowed:
        raise ValueError(f"'{value}' is not an AJCC {edition}th edition stage group")
    return allowed[text.casefold()]


@cache
def _allowed(edition: int, axis: str) -> dict[str, str]:
    """An edition's categories (or stage groups) by their casefolded spelling."""
    return {item.casefold(): item for item in EDITIONS[edition][axis]}
