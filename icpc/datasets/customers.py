"""The demo's customers: names, addresses (shared ones planted), SIRET, creation dates."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from icpc.datasets.story import (
    AREA_CODES,
    BONUS_SALESPERSON,
    CITIES,
    COMPANY_PATTERNS,
    FIRST_NAMES,
    HOUSEHOLD_PATTERNS,
    K_BASE,
    K_BONUS,
    K_CANCELLED,
    K_LOST_BIG,
    K_PROSPECT,
    K_SLIPPING,
    REGION_SHARE,
    REGIONS,
    RHYTHMS,
    SALESPEOPLE,
    STREET_NAMES,
    STREET_TYPES,
    SURNAMES,
    TRADES,
)
from icpc.exceptions import ConfigError

__all__ = []


def _day(d: dt.date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _shift_months(d: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(d) + pd.DateOffset(months=months)).date()


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 for day numbers since 1970-01-01 (a Thursday)."""
    return (days + 3) % 7


def _to_workday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays back to the Friday before."""
    wd = _weekday(days)
    return days - np.where(wd == 5, 1, 0) - np.where(wd == 6, 2, 0)


def _month_index(days: np.ndarray) -> np.ndarray:
    """Calendar month 0-11 of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _group_rank(group: np.ndarray) -> np.ndarray:
    """0-based position of each element within its run of equal ``group`` values (sorted input)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _pick(options: tuple[str, ...] | np.ndarray, idx: np.ndarray) -> np.ndarray:
    return np.asarray(options, dtype=object)[idx]


def _fill(patterns: np.ndarray, **parts: np.ndarray) -> np.ndarray:
    """Fill ``{s}``/``{t}``/``{f}`` placeholders of an array of patterns (vectorised per pattern)."""
    out = patterns.copy()
    for pattern in np.unique(patterns):
        mask = patterns == pattern
        pieces = pattern.replace("{", "\x00{").replace("}", "}\x00").split("\x00")
        value = np.full(mask.sum(), "", dtype=object)
        for piece in pieces:
            if piece.startswith("{") and piece.endswith("}"):
                value = value + parts[piece[1:-1]][mask]
            elif piece:
                value = value + piece
        out[mask] = value
    return out


def _luhn_digit(digits: np.ndarray) -> np.ndarray:
    """Luhn check digit for rows of digits (the rightmost digit will be doubled)."""
    doubled = digits[:, ::-1].copy()
    doubled[:, 0::2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (10 - doubled.sum(axis=1) % 10) % 10


def _sirets(rng: np.random.Generator, n: int) -> np.ndarray:
    """Valid-looking SIRETs: a Luhn-valid SIREN (9 digits) and a Luhn-valid whole (14)."""
    body = rng.integers(0, 10, size=(n, 8))
    body[:, 0] = rng.integers(3, 9, size=n)
    siren = np.c_[body, _luhn_digit(body)]
    nic = np.c_[np.zeros((n, 3), dtype=np.int64), rng.integers(1, 10, size=(n, 1))]
    head = np.c_[siren, nic]
    full = np.c_[head, _luhn_digit(head)]
    as_int = full @ (10 ** np.arange(13, -1, -1, dtype=np.int64))
    text = pc.utf8_lpad(pc.cast(pa.array(as_int), pa.string()), 14, "0")
    return text.to_numpy(zero_copy_only=False).astype(object)


def _allocate(n: int) -> dict[int, int]:
    """Number of customers of each kind for ``n`` customers in all."""
    bonus = max(8, round(0.15 * n))
    cancelled = max(2, round(0.01 * n))
    prospects = max(1, round(0.03 * n))
    lost = int(np.clip(round(0.02 * n), 5, 10)) if n <= 1000 else round(0.02 * n)
    slipping = max(6, round(0.05 * n))
    base = n - bonus - cancelled - prospects - lost - slipping
    if base < 20:
        raise ConfigError(
            f"icpc sample: {n} customers is too few for the demo story; give --customers 100 or more"
        )
    return {K_BASE: base, K_LOST_BIG: lost, K_SLIPPING: slipping, K_BONUS: bonus,
            K_CANCELLED: cancelled, K_PROSPECT: prospects}  # fmt: skip


def _cluster_sizes(rng: np.random.Generator, n_bonus: int) -> np.ndarray:
    """Sizes of the address clusters of the bonus customers (about 85 % of them)."""
    in_clusters = int(round(0.85 * n_bonus))
    pattern = np.array([14, 11, 9, 8, 6, 5, 4, 3], dtype=np.int64)
    if n_bonus < 200:  # the demo: a few big households
        candidates = np.resize(pattern, in_clusters)
    else:
        candidates = rng.integers(3, 12, size=in_clusters // 3 + 1)
    cumulative = np.cumsum(candidates)
    k = int(np.searchsorted(cumulative, in_clusters))
    sizes = candidates[: k + 1].copy()
    sizes[-1] -= cumulative[k] - in_clusters
    if len(sizes) > 1 and sizes[-1] < 2:
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    return sizes


def _addresses(rng: np.random.Generator, n: int, region_idx: np.ndarray) -> dict[str, np.ndarray]:
    """Distinct base addresses: number, street type, street name, city index in region."""
    n_types, n_streets = len(STREET_TYPES), len(STREET_NAMES)
    per_number = n_types * n_streets * 9
    # street numbers 1-150, more when needed so that every place stays distinct at any scale
    # (drawn without replacement: no accidental shared addresses outside the planted clusters)
    numbers = max(150, -(-2 * n // per_number))
    codes = rng.choice(numbers * per_number, size=n, replace=False)
    number = codes % numbers + 1
    codes //= numbers
    stype = codes % n_types
    codes //= n_types
    street = codes % n_streets
    city_slot = codes // n_streets
    n_cities = np.array([len(CITIES[r]) for r in REGIONS])
    city_in_region = city_slot % n_cities[region_idx]
    return {"number": number, "type": stype, "street": street, "city": city_in_region}


def _format_address(parts: dict[str, np.ndarray], variant: np.ndarray) -> np.ndarray:
    """Write addresses; ``variant`` 0 is the clean form, 1-4 the messy variants of one place."""
    number = parts["number"].astype(str).astype(object)
    sep = np.where(variant % 2 == 1, ", ", " ").astype(object)
    types = np.array(STREET_TYPES, dtype=object)[parts["type"], variant]
    names = np.asarray(STREET_NAMES, dtype=object)[parts["street"]]
    plain = np.array([_strip_accents(s) for s in STREET_NAMES], dtype=object)[parts["street"]]
    upper = np.array([_strip_accents(s).upper() for s in STREET_NAMES], dtype=object)[
        parts["street"]
    ]
    titled = np.array(
        [" ".join(w[:1].upper() + w[1:] for w in s.split(" ")) for s in STREET_NAMES], dtype=object
    )
    titled = titled[parts["street"]]
    street = np.select(
        [variant == 0, variant == 1, variant == 2, variant == 3],
        [names, titled, plain, upper],
        plain,
    )
    return number + sep + types + " " + street


def _build_customers(
    rng: np.random.Generator,
    n: int,
    *,
    hist_start: int,
    n_start: int,
    as_of: int,
    bonus_window: tuple[int, int],
) -> pd.DataFrame:
    """One row per customer with its hidden parameters (kind, rhythm, basket, window...)."""
    alloc = _allocate(n)
    kind = np.concatenate([np.full(c, k, dtype=np.int64) for k, c in alloc.items()])
    n = len(kind)
    # region and salesperson
    region = rng.choice(len(REGIONS), size=n, p=REGION_SHARE)
    sp_region = np.array([REGIONS.index(r) for _, r in SALESPEOPLE])
    sp_of_region = [np.flatnonzero(sp_region == r) for r in range(len(REGIONS))]
    salesperson = np.array([sp_of_region[r][0] for r in region])
    idf = REGIONS.index("Île-de-France")
    second = (region == idf) & (rng.random(n) < 0.5)
    salesperson = np.where(second, sp_of_region[idf][1], salesperson)
    is_bonus = kind == K_BONUS
    region = np.where(is_bonus, sp_region[BONUS_SALESPERSON], region)
    salesperson = np.where(is_bonus, BONUS_SALESPERSON, salesperson)
    # rhythm and basket
    shares = np.array([r[2] for r in RHYTHMS])
    rhythm = rng.choice(len(RHYTHMS), size=n, p=shares / shares.sum())
    steady = np.isin(kind, (K_LOST_BIG, K_SLIPPING))
    rhythm = np.where(kind == K_LOST_BIG, 1, rhythm)
    rhythm = np.where(kind == K_SLIPPING, rng.choice([1, 2], size=n, p=[0.6, 0.4]), rhythm)
    rhythm = np.where(is_bonus, 1, rhythm)
    rhythm = np.where(kind == K_CANCELLED, 3, rhythm)
    interval = np.array([r[1] for r in RHYTHMS])[rhythm]
    basket = np.array([r[3] for r in RHYTHMS])[rhythm] * rng.lognormal(0.0, 0.6, size=n)
    basket = np.where(kind == K_LOST_BIG, rng.uniform(2600, 3600, size=n), basket)
    basket = np.where(is_bonus, rng.lognormal(math.log(130.0), 0.45, size=n), basket)
    margin_rate = np.clip(rng.normal(0.27, 0.05, size=n), 0.08, 0.45)
    # activity window: first possible purchase (start) and last purchase (end)
    existing = rng.random(n) < 0.6
    created = np.where(
        existing,
        rng.integers(_day(dt.date(2005, 1, 1)), hist_start - 30, size=n),
        rng.integers(hist_start, as_of - 20, size=n),
    )
    old = np.isin(kind, (K_LOST_BIG, K_SLIPPING))
    created = np.where(
        old, rng.integers(_day(dt.date(2005, 1, 1)), hist_start - 400, size=n), created
    )
    created = np.where(is_bonus, rng.integers(bonus_window[0], bonus_window[1], size=n), created)
    created = np.where(
        kind == K_CANCELLED, rng.integers(n_start - 300, as_of - 120, size=n), created
    )
    start = np.maximum(created + rng.integers(2, 21, size=n), hist_start)
    # end: still buying (last purchase within one interval of as_of) or stopped
    end = as_of - np.floor(rng.random(n) * np.minimum(interval, 60)).astype(np.int64)
    churn = (kind == K_BASE) & (rng.random(n) < 0.22)
    end = np.where(churn, rng.integers(start, as_of + 1, size=n), end)
    end = np.where(kind == K_LOST_BIG, rng.integers(n_start - 200, n_start - 25, size=n), end)
    end = np.where(kind == K_SLIPPING, as_of - rng.integers(100, 176, size=n), end)
    bonus_end = start + rng.integers(20, 200, size=n)
    end = np.where(is_bonus, np.minimum(bonus_end, as_of), end)
    end = np.where(
        kind == K_CANCELLED, np.minimum(start + rng.integers(0, 120, size=n), as_of - 60), end
    )
    end = np.maximum(end, start)
    # ids follow creation order (a new code for each new customer)
    order = np.lexsort((rng.random(n), created))
    frame = pd.DataFrame({
        "kind": kind, "region": region, "salesperson": salesperson, "rhythm": rhythm,
        "interval": interval, "basket": basket, "margin_rate": margin_rate, "created": created,
        "start": start, "end": end, "steady": steady,
    }).iloc[order].reset_index(drop=True)  # fmt: skip
    width = max(5, len(str(n)))
    frame["customer_id"] = "C" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)
    return frame


#: the first names of :data:`FIRST_NAMES` that take « Mme »
_WOMEN = ("Sandrine", "Nathalie", "Céline", "Aurélie", "Émilie", "Julie", "Manon", "Chloé", "Inès")


def _contacts(
    rng: np.random.Generator, region: np.ndarray, household: np.ndarray, name: np.ndarray
) -> dict[str, pd.Series]:
    """Contact person, phone and e-mail of each customer, drawn from their own stream.

    Companies have a landline of their region and an e-mail at their own domain;
    households (the bonus's clusters) a mobile and a mailbox provider. Some cells are
    empty, as in any customer file, and about one e-mail in a hundred is written
    ``prenom.nom[at]domaine.fr`` (counted by the cleaning, kept as written).
    """
    n = len(region)
    first = _pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), size=n))
    last = _pick(SURNAMES, rng.integers(0, len(SURNAMES), size=n))
    title = np.where(np.isin(first, _WOMEN), "Mme", "M.")
    contact = np.array(
        [f"{t} {f} {s}" for t, f, s in zip(title, first, last, strict=True)], dtype=object
    )
    digits = rng.integers(0, 100, size=(n, 4))
    area = np.array([AREA_CODES[REGIONS[r]] for r in region], dtype=object)
    area = np.where(household, np.where(rng.random(n) < 0.5, "06", "07"), area)
    prefix = rng.integers(10, 100, size=n)
    phone = np.array(
        [
            f"{a} {p:02d} {d[0]:02d} {d[1]:02d} {d[2]:02d}"
            for a, p, d in zip(area, prefix, digits, strict=True)
        ],
        dtype=object,
    )
    providers = np.array(("orange.fr", "gmail.com", "free.fr", "laposte.net"), dtype=object)
    provider = providers[rng.integers(0, len(providers), size=n)]
    at = np.where(rng.random(n) < 0.01, "[at]", "@")
    email = []
    for f, s, company, is_home, mailbox, sign in zip(
        first, last, name, household, provider, at, strict=True
    ):
        local = _strip_accents(f"{f}.{s}").lower().replace(" ", "-").replace("'", "")
        domain = (
            mailbox
            if is_home
            else "".join(c for c in _strip_accents(str(company)).lower() if c.isalnum())[:24]
            + ".fr"
        )
        email.append(f"{local}{sign}{domain}")
    blank = {
        k: rng.random(n) < share
        for k, share in (("contact", 0.04), ("phone", 0.06), ("email", 0.12))
    }
    return {
        "Interlocuteur": pd.Series(contact, dtype="str").where(~blank["contact"]),
        "Téléphone": pd.Series(phone, dtype="str").where(~blank["phone"]),
        "E-mail": pd.Series(np.array(email, dtype=object), dtype="str").where(~blank["email"]),
    }


def _customer_master(
    rng: np.random.Generator, cust: pd.DataFrame, contact_rng: np.random.Generator
) -> tuple[pd.DataFrame, list[list[str]]]:
    """The customer master file and the planted address clusters of the bonus (contacts
    from ``contact_rng``, so that they change nothing else)."""
    n = len(cust)
    region = cust["region"].to_numpy()
    is_bonus = (cust["kind"] == K_BONUS).to_numpy()
    bonus_pos = np.flatnonzero(is_bonus)
    sizes = _cluster_sizes(rng, len(bonus_pos))
    shuffled = rng.permutation(bonus_pos)
    clustered = shuffled[: sizes.sum()]
    cluster_of = np.full(n, -1, dtype=np.int64)
    cluster_of[clustered] = np.repeat(np.arange(len(sizes)), sizes)
    # one base address per non-clustered customer and one per cluster, all distinct
    single = cluster_of < 0
    n_places = int(single.sum()) + len(sizes)
    place_region = np.r_[region[single], np.full(len(sizes), _bonus_region())]
    place = _addresses(rng, n_places, place_region)
    place_of = np.empty(n, dtype=np.int64)
    place_of[single] = np.arange(single.sum())
    place_of[~single] = single.sum() + cluster_of[~single]
    parts = {k: v[place_of] for k, v in place.items()}
    variant = np.where(single, np.where(rng.random(n) < 0.85, 0, rng.integers(1, 5, size=n)), 0)
    # members of a cluster: each writes the place its own way (the first member: clean)
    in_cluster = ~single
    variant[in_cluster] = rng.integers(0, 5, size=in_cluster.sum())
    address = _format_address(parts, variant)
    offsets = np.cumsum([0] + [len(CITIES[r]) for r in REGIONS])[:-1]
    city_idx = offsets[region] + parts["city"]
    city = np.array([c for r in REGIONS for c, _ in CITIES[r]], dtype=object)[city_idx]
    postcode = np.array([p for r in REGIONS for _, p in CITIES[r]], dtype=object)[city_idx]
    # names: companies, and households for the clusters (same family name per cluster)
    surname = _pick(SURNAMES, rng.integers(0, len(SURNAMES), size=n))
    cluster_surname = _pick(SURNAMES, rng.integers(0, len(SURNAMES), size=len(sizes)))
    surname[in_cluster] = cluster_surname[cluster_of[in_cluster]]
    trade = _pick(TRADES, rng.integers(0, len(TRADES), size=n))
    first = _pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), size=n))
    patterns = _pick(COMPANY_PATTERNS, rng.integers(0, len(COMPANY_PATTERNS), size=n))
    patterns[in_cluster] = _pick(
        HOUSEHOLD_PATTERNS, rng.integers(0, len(HOUSEHOLD_PATTERNS), size=in_cluster.sum())
    )
    name = _fill(patterns, s=surname, t=trade, f=first)
    # SIRET: most companies have one; in a cluster about a third reuse the cluster's SIRET
    siret = _sirets(rng, n)
    cluster_siret = _sirets(rng, len(sizes))
    reuse = in_cluster & (rng.random(n) < 0.35)
    siret[reuse] = cluster_siret[cluster_of[reuse]]
    siret[(rng.random(n) < 0.08) & ~reuse] = ""
    created = cust["created"].to_numpy().astype("datetime64[D]")
    master = pd.DataFrame({
        "Code": cust["customer_id"].astype("str"),
        "Raison sociale": pd.array(name, dtype="str"),
        "Adresse": pd.array(address, dtype="str"),
        "CP": pd.array(postcode, dtype="str"),
        "Ville": pd.array(city, dtype="str"),
        "Date création": pd.to_datetime(created).astype("datetime64[ns]"),
        "SIRET": pd.Series(siret, dtype="str").where(siret != "").array,
        **{k: v.array for k, v in _contacts(contact_rng, region, in_cluster, name).items()},
    })  # fmt: skip
    ids = cust["customer_id"].to_numpy()
    members = np.flatnonzero(in_cluster)
    members = members[np.lexsort((members, cluster_of[members]))]
    clusters = [part.tolist() for part in np.split(ids[members], np.cumsum(sizes)[:-1])]
    return master, clusters


def _bonus_region() -> int:
    """Region index of the salesperson with the prospecting bonus."""
    return REGIONS.index(SALESPEOPLE[BONUS_SALESPERSON][1])
