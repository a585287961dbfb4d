"""A realistic, deterministic demo client (client de démonstration) with a planted story.

``generate_sample`` builds a fictional French B2B distributor ("Distribution Martin SAS"):
three years of invoice lines up to ``as_of`` (2024-12-31 by default), a customer master
with addresses and SIRETs, and a CRM activity log. Every customer has its own rhythm
(weekly, monthly, bi-monthly, quarterly, annual), log-normal basket sizes, a margin rate,
seasonality (a quiet August) and a salesperson in a region.

The story a diagnostic should uncover, recorded in :attr:`Sample.truth`:

* a **prospecting bonus** in period N: one salesperson creates many new customers in a few
  months, most of them at a handful of addresses written with variants ("12 r. de la Paix",
  "12, Rue De La Paix", accents dropped) and some sharing a SIRET, with small baskets. N
  shows clearly more new customers, a lower average basket and a roughly flat revenue;
* **big customers lost**: last purchase in N-1;
* **regular customers slipping away**: a steady rhythm, silent for the last 3-6 months;
* **credit notes** (avoirs), some referencing their invoice, some customers fully cancelled;
* a few **dirty rows**: no customer code, text in the amount, impossible dates, exact
  duplicate lines, a "Total général" line at the bottom.

``write_sample`` writes ``client.yaml``, ``factures.csv`` (cp1252, ``;``, decimal comma,
dd/mm/yyyy) or ``factures.parquet`` (typed), ``clients.xlsx`` (title line above the
headers, postcodes as text; ``clients.parquet``, typed, with the Parquet format: a client
exporting from a warehouse exports its master the same way) and ``activite.csv`` (UTF-8). Same seed, byte-identical files.
With ``fec=True`` the books are written as a FEC instead (``FEC.txt``, ISO-8859-15, ``|``):
one sales entry per invoice or credit note, plus payments, purchases and opening entries.
Generation is vectorised (numpy), so ``lines=8_000_000`` (about 1 GB of CSV) is practical.

Example
-------
>>> from icpc.datasets.demo import generate_sample
>>> s = generate_sample(seed=1, customers=150)
>>> s.truth["bonus_salesperson"]
'Julien Marchetti'
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from icpc.exceptions import ConfigError
from icpc.fsutil import atomic_path, atomic_write_text

__all__ = ["Sample", "generate_sample", "write_sample", "TRANSACTION_HEADERS", "CUSTOMER_HEADERS"]

# --------------------------------------------------------------------------------------
# the client's headers (as in its exports)
# --------------------------------------------------------------------------------------
H_CUSTOMER = "Code client"
H_DATE = "Date facture"
H_INVOICE = "N° facture"
H_AMOUNT = "Montant HT"
H_MARGIN = "Marge"
H_SALESPERSON = "Commercial"
H_REGION = "Secteur"
H_TYPE = "Type"
H_REF = "Réf. facture"
H_ITEM = "Code article"
H_LABEL = "Désignation"
#: headers of factures.csv, in file order ("Réf. facture": invoice a credit note refers to)
TRANSACTION_HEADERS = (H_CUSTOMER, H_DATE, H_INVOICE, H_ITEM, H_LABEL, H_AMOUNT, H_MARGIN,
                       H_SALESPERSON, H_REGION, H_TYPE, H_REF)  # fmt: skip
#: headers of clients.xlsx, in file order
CUSTOMER_HEADERS = ("Code", "Raison sociale", "Adresse", "CP", "Ville", "Date création", "SIRET")
ACTIVITY_HEADERS = ("Date", "Commercial", "Type", "Client")
INVOICE_TYPE, CREDIT_TYPE = "Facture", "Avoir"
ACTIVITY_TYPES = {"contact_received": "Contact entrant", "call": "Appel sortant",
                  "call_completed": "Appel abouti"}  # fmt: skip

CLIENT_NAME = "Distribution Martin SAS"
CLIENT_SLUG = "distribution-martin"
FIRM = "Cabinet Boussole Conseil"
CONSULTANT = "Claire Vasseur"
DEFAULT_CUSTOMERS = 400
DEFAULT_AS_OF = dt.date(2024, 12, 31)
#: invoice lines per customer and year in the default mix (measured), to size ``lines=``
LINES_PER_CUSTOMER_YEAR = 15.0
#: dirty rows planted in the transactions, by kind (written as-is in factures.csv)
DIRTY_TEXT = {
    "missing_customer": ("", "", ""),
    "text_amount": ("N/A", "#VALEUR!"),
    "bad_date": ("31/02/{year}", "??"),
}
N_DUPLICATES = 3

# --------------------------------------------------------------------------------------
# the world: regions, salespeople, places, names
# --------------------------------------------------------------------------------------
REGIONS = ("Nord", "Est", "Ouest", "Sud", "Île-de-France")
REGION_SHARE = (0.18, 0.17, 0.20, 0.20, 0.25)
SALESPEOPLE = (  # name, region
    ("Hélène Fournier", "Nord"),
    ("Karim Haddad", "Est"),
    ("Sophie Le Gall", "Ouest"),
    ("Julien Marchetti", "Sud"),
    ("Nathalie Roussel", "Île-de-France"),
    ("Thomas Bernard", "Île-de-France"),
)
BONUS_SALESPERSON = 3  # Julien Marchetti
CITIES = {  # region -> (city, postcode)
    "Nord": (("Lille", "59000"), ("Roubaix", "59100"), ("Tourcoing", "59200"),
             ("Valenciennes", "59300"), ("Arras", "62000"), ("Lens", "62300"),
             ("Amiens", "80000"), ("Laon", "02000"), ("Saint-Quentin", "02100")),
    "Est": (("Strasbourg", "67000"), ("Metz", "57000"), ("Nancy", "54000"), ("Reims", "51100"),
            ("Mulhouse", "68100"), ("Colmar", "68000"), ("Troyes", "10000"),
            ("Charleville-Mézières", "08000"), ("Bourg-en-Bresse", "01000")),
    "Ouest": (("Nantes", "44000"), ("Rennes", "35000"), ("Angers", "49000"),
              ("Le Mans", "72000"), ("Brest", "29200"), ("Caen", "14000"), ("Tours", "37000"),
              ("La Roche-sur-Yon", "85000"), ("Saint-Brieuc", "22000")),
    "Sud": (("Marseille", "13001"), ("Toulouse", "31000"), ("Montpellier", "34000"),
            ("Nice", "06000"), ("Cannes", "06400"), ("Toulon", "83000"), ("Nîmes", "30000"),
            ("Avignon", "84000"), ("Gap", "05000"), ("Privas", "07000")),
    "Île-de-France": (("Paris", "75011"), ("Paris", "75015"), ("Boulogne-Billancourt", "92100"),
                      ("Nanterre", "92000"), ("Saint-Denis", "93200"), ("Montreuil", "93100"),
                      ("Créteil", "94000"), ("Versailles", "78000"), ("Évry-Courcouronnes", "91000"),
                      ("Argenteuil", "95100")),
}  # fmt: skip
# street types: canonical form first, then the variants found in real files
STREET_TYPES = (
    ("rue", "r.", "Rue", "RUE", "R."),
    ("avenue", "av.", "Avenue", "AV", "Av."),
    ("boulevard", "bd", "Boulevard", "BD", "Bd"),
    ("place", "pl.", "Place", "PL", "Pl."),
    ("chemin", "ch.", "Chemin", "CHEMIN", "Ch."),
    ("allée", "all.", "Allée", "ALLEE", "allee"),
)
STREET_NAMES = (
    "de la Paix", "de la République", "Jean Jaurès", "Victor Hugo", "Gambetta", "du Général de Gaulle",
    "de l'Église", "des Prés", "Pasteur", "Carnot", "de la Gare", "du Marché", "des Écoles",
    "Émile Zola", "du Château", "des Lilas", "Jules Ferry", "de Verdun", "Saint-Éloi",
    "des Tanneurs", "du Moulin", "de la Liberté", "Foch", "Voltaire", "des Frères Lumière",
    "de Strasbourg", "de Bretagne", "des Acacias", "du Port", "Léon Blum", "de la Fontaine",
    "Anatole France", "des Artisans", "de l'Industrie", "Clémenceau", "du Stade", "des Vignes",
    "Édouard Herriot", "de Lattre de Tassigny", "des Peupliers",
)  # fmt: skip
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
    "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour", "Blanchard", "Barbier",
)  # fmt: skip
TRADES = (
    "Bâtiment", "Plomberie", "Électricité", "Menuiserie", "Transports", "Distribution",
    "Peinture", "Chauffage", "Couverture", "Paysages", "Maçonnerie", "Carrelage", "Serrurerie",
    "Froid", "Sanitaire", "Rénovation", "Agencement", "Isolation", "Métallerie", "Services",
)  # fmt: skip
COMPANY_PATTERNS = ("SARL {s} {t}", "{s} {t} SAS", "Établissements {s}", "{t} {s}",
                    "Ets {s} & Fils", "{s} {t}", "Groupe {s}", "SAS {t} {s}")  # fmt: skip
FIRST_NAMES = ("Sandrine", "Kevin", "Nathalie", "Sébastien", "Céline", "Jérôme", "Aurélie",
               "Nicolas", "Émilie", "Julie", "Lucas", "Manon", "Hugo", "Chloé", "Inès", "Théo")  # fmt: skip
HOUSEHOLD_PATTERNS = ("Mme {f} {s}", "M. {f} {s}", "{s} {f} EI", "{s} Services", "SARL {s} Multiservices",
                      "{f} {s} Nettoyage", "Atelier {s}", "{s} {t}")  # fmt: skip

# product catalogue of a building-supplies distributor: family code, label, sizes
CATALOGUE = (
    ("PLB", "Tube cuivre Ø{} mm barre 4 m", ("10", "12", "14", "16", "18", "22")),
    ("PLB", "Coude PVC Ø{} mm 87°30", ("32", "40", "50", "100")),
    ("PLB", "Raccord laiton à visser {}", ("15×21", "20×27", "26×34")),
    ("ELE", "Câble R2V 3G{} mm² couronne 100 m", ("1,5", "2,5", "6")),
    ("ELE", "Disjoncteur {} A courbe C", ("10", "16", "20", "32")),
    ("ELE", "Gaine ICTA Ø{} mm rouleau 100 m", ("16", "20", "25")),
    ("ELE", "Tableau électrique {} rangées", ("1", "2", "3", "4")),
    ("SAN", "Mitigeur {} chromé", ("lavabo", "évier", "douche", "bain-douche")),
    ("SAN", "WC suspendu {}", ("compact", "sans bride", "PMR")),
    ("CHA", "Radiateur acier {} W", ("500", "750", "1000", "1500", "2000")),
    ("CHA", "Chaudière gaz condensation {} kW", ("24", "28", "35")),
    ("QUI", "Vis à bois {} (boîte de 200)", ("4×30", "4×40", "5×50", "6×80")),
    ("QUI", "Cheville nylon {} (sachet de 100)", ("6 mm", "8 mm", "10 mm")),
    ("OUT", "{} sans fil 18 V", ("Perceuse-visseuse", "Meuleuse", "Scie sabre", "Perforateur")),
    ("EPI", "Gants de manutention taille {}", ("8", "9", "10")),
    ("EPI", "Chaussures de sécurité S3 pointure {}", ("40", "42", "44", "46")),
)
ITEM_LABELS = tuple(label.format(size) for _, label, sizes in CATALOGUE for size in sizes)
ITEM_CODES = tuple(
    f"{family}-{100 * f + i + 1:04d}"
    for f, (family, _, sizes) in enumerate(CATALOGUE)
    for i in range(len(sizes))
)

# buying rhythms: name, interval (days), share of customers, median basket (EUR)
RHYTHMS = (
    ("weekly", 7.0, 0.08, 250.0),
    ("monthly", 30.4, 0.37, 650.0),
    ("bimonthly", 60.9, 0.20, 1000.0),
    ("quarterly", 91.3, 0.22, 1500.0),
    ("annual", 365.0, 0.13, 2600.0),
)
# share of events kept per calendar month (a quiet August, a short December)
MONTH_KEEP = np.array([0.9, 0.95, 1.0, 1.0, 1.0, 0.95, 0.9, 0.45, 1.0, 1.0, 1.0, 0.8])
# basket multiplier per calendar month (spring building season)
MONTH_BASKET = np.array([0.9, 0.95, 1.05, 1.1, 1.15, 1.1, 1.0, 0.85, 1.05, 1.0, 0.95, 0.9])
PRICE_GROWTH = 0.03  # per year

# customer kinds
K_BASE, K_LOST_BIG, K_SLIPPING, K_BONUS, K_CANCELLED, K_PROSPECT = range(6)


@dataclass(frozen=True, eq=False)
class Sample:
    """A generated demo client (client de démonstration): its exports, config and truth.

    Attributes
    ----------
    transactions : DataFrame
        Invoice lines in file order, with the client's headers (``TRANSACTION_HEADERS``):
        "Code client" (str, missing for the planted rows without a code), "Date facture"
        (datetime64, NaT for the planted impossible dates), "N° facture" (str),
        "Code article" and "Désignation" (category: catalogue item, a credit note line
        carries the item it credits), "Montant HT" and "Marge" (float64, NaN for the
        planted text amounts),
        "Commercial", "Secteur", "Type" ("Facture"/"Avoir"), "Réf. facture" (invoice a
        credit note refers to, or missing). The "Total général" line of the CSV is not a row.
    customers : DataFrame
        Customer master (fichier clients), ``CUSTOMER_HEADERS``; "CP" and "SIRET" are text,
        "Date création" datetime64.
    activity : DataFrame
        Activity log (journal d'activité): "Date" (datetime64 with time), "Commercial",
        "Type" ("Contact entrant"/"Appel sortant"/"Appel abouti"), "Client" (may be missing).
    config : dict
        The content of ``client.yaml``.
    truth : dict
        The planted story (see :func:`generate_sample`).
    """

    transactions: pd.DataFrame
    customers: pd.DataFrame
    activity: pd.DataFrame
    config: dict[str, Any]
    truth: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# small vectorised helpers
# --------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------
# customers
# --------------------------------------------------------------------------------------
def _allocate(n: int) -> dict[int, int]:
    """Number of customers of each kind for ``n`` customers in all."""
    bonus = max(8, round(0.15 * n))
    cancelled = max(2, round(0.01 * n))
    prospects = max(1, round(0.03 * n))
    lost = int(np.clip(round(0.02 * n), 5, 10)) if n <= 1000 else round(0.02 * n)
    slipping = max(6, round(0.05 * n))
    base = n - bonus - cancelled - prospects - lost - slipping
    if base < 20:
        raise ConfigError(f"icpc sample: {n} customers is too few for the demo story; give --customers 100 or more")
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
    upper = np.array([_strip_accents(s).upper() for s in STREET_NAMES], dtype=object)[parts["street"]]
    titled = np.array([" ".join(w[:1].upper() + w[1:] for w in s.split(" ")) for s in STREET_NAMES], dtype=object)
    titled = titled[parts["street"]]
    street = np.select([variant == 0, variant == 1, variant == 2, variant == 3], [names, titled, plain, upper], plain)
    return number + sep + types + " " + street


def _build_customers(rng: np.random.Generator, n: int, *, hist_start: int, n_start: int, as_of: int,
                     bonus_window: tuple[int, int]) -> pd.DataFrame:
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
    created = np.where(old, rng.integers(_day(dt.date(2005, 1, 1)), hist_start - 400, size=n), created)
    created = np.where(is_bonus, rng.integers(bonus_window[0], bonus_window[1], size=n), created)
    created = np.where(kind == K_CANCELLED, rng.integers(n_start - 300, as_of - 120, size=n), created)
    start = np.maximum(created + rng.integers(2, 21, size=n), hist_start)
    # end: still buying (last purchase within one interval of as_of) or stopped
    end = as_of - np.floor(rng.random(n) * np.minimum(interval, 60)).astype(np.int64)
    churn = (kind == K_BASE) & (rng.random(n) < 0.22)
    end = np.where(churn, rng.integers(start, as_of + 1, size=n), end)
    end = np.where(kind == K_LOST_BIG, rng.integers(n_start - 200, n_start - 25, size=n), end)
    end = np.where(kind == K_SLIPPING, as_of - rng.integers(100, 176, size=n), end)
    bonus_end = start + rng.integers(20, 200, size=n)
    end = np.where(is_bonus, np.minimum(bonus_end, as_of), end)
    end = np.where(kind == K_CANCELLED, np.minimum(start + rng.integers(0, 120, size=n), as_of - 60), end)
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


def _customer_master(rng: np.random.Generator, cust: pd.DataFrame) -> tuple[pd.DataFrame, list[list[str]]]:
    """The customer master file and the planted address clusters of the bonus."""
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
    patterns[in_cluster] = _pick(HOUSEHOLD_PATTERNS, rng.integers(0, len(HOUSEHOLD_PATTERNS), size=in_cluster.sum()))
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
    })  # fmt: skip
    ids = cust["customer_id"].to_numpy()
    members = np.flatnonzero(in_cluster)
    members = members[np.lexsort((members, cluster_of[members]))]
    clusters = [part.tolist() for part in np.split(ids[members], np.cumsum(sizes)[:-1])]
    return master, clusters


def _bonus_region() -> int:
    """Region index of the salesperson with the prospecting bonus."""
    return REGIONS.index(SALESPEOPLE[BONUS_SALESPERSON][1])


# --------------------------------------------------------------------------------------
# purchases -> invoices -> lines
# --------------------------------------------------------------------------------------
def _purchase_events(rng: np.random.Generator, cust: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Purchase dates per customer: a rhythm grid anchored on the last purchase, jittered.

    Returns (customer position, day number) arrays, one element per purchase (invoice).
    """
    kind = cust["kind"].to_numpy()
    interval = cust["interval"].to_numpy()
    start, end = cust["start"].to_numpy(), cust["end"].to_numpy()
    steady = cust["steady"].to_numpy()
    active = kind != K_PROSPECT
    count = np.where(active, np.floor((end - start) / interval).astype(np.int64) + 1, 0)
    pos = np.repeat(np.arange(len(cust)), count)
    k = _group_rank(pos)
    sd = np.where(steady, 0.06, 0.22)[pos] * interval[pos]
    jitter = np.where(k == 0, 0.0, rng.normal(0.0, 1.0, size=len(pos)) * sd)
    days = np.rint(end[pos] - k * interval[pos] + jitter).astype(np.int64)
    days = _to_workday(np.minimum(days, end[pos]))
    # the last purchase may move back to a Friday, but never before the customer existed
    created = cust["created"].to_numpy()
    lower = np.where(k == 0, np.maximum(created[pos], start[pos] - 2), start[pos])
    keep = days >= lower
    # seasonality and irregularity thin the purchases (never the last one, never the steady)
    p_keep = MONTH_KEEP[_month_index(days)] * np.where(kind[pos] == K_BASE, 0.92, 1.0)
    thin = (k > 0) & ~steady[pos] & (rng.random(len(pos)) > p_keep)
    keep &= ~thin
    return pos[keep], days[keep]


def _lines_per_invoice(rng: np.random.Generator, n_invoices: int, lam: float) -> np.ndarray:
    return 1 + rng.poisson(lam, size=n_invoices)


def _split_cents(rng: np.random.Generator, total_cents: np.ndarray, n_lines: np.ndarray) -> np.ndarray:
    """Split invoice totals (cents) into line amounts that add up exactly."""
    inv = np.repeat(np.arange(len(n_lines)), n_lines)
    weights = rng.exponential(1.0, size=len(inv))
    share = weights / np.bincount(inv, weights=weights)[inv]
    cents = np.floor(share * total_cents[inv]).astype(np.int64)
    rest = total_cents - np.bincount(inv, weights=cents, minlength=len(n_lines)).astype(np.int64)
    first = np.r_[0, np.cumsum(n_lines)[:-1]]
    cents[first] += rest
    return cents


def _invoice_numbers(prefix: str, days: np.ndarray, order_key: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """Chronological numbers per year: ``FA2024-00001`` (``order_key`` breaks same-day ties).

    Returns the rank of each document in numbering order and its number (Arrow strings).
    """
    n = len(days)
    order = np.lexsort((order_key, days))
    years = _year(days[order])
    seq = _group_rank(years) + 1
    width = max(5, len(str(int(seq.max())))) if n else 5
    numbers = pc.binary_join_element_wise(
        pa.scalar(prefix),
        pc.cast(pa.array(years), pa.string()),
        pa.scalar("-"),
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), width, "0"),
        "",
    )
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank, pc.take(numbers, pa.array(rank))


def _text(dictionary: tuple[str, ...] | np.ndarray | pa.Array, idx: np.ndarray,
          valid: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
    """``dictionary[idx]`` as a pandas text array, built in Arrow (no Python string objects)."""
    if not isinstance(dictionary, pa.Array):
        dictionary = pa.array(list(dictionary), pa.string())
    taken = pc.take(dictionary, pa.array(idx, mask=None if valid is None else ~valid))
    return pd.array(taken, dtype="str")


def _items(rng: np.random.Generator, n: int) -> np.ndarray:
    """Catalogue item of each line: a few best sellers, a long tail (Zipf-like)."""
    weights = 1.0 / (np.arange(len(ITEM_CODES)) + 4.0)
    popularity = rng.permutation(len(ITEM_CODES))
    cumulative = np.cumsum(weights / weights.sum())
    rank = np.searchsorted(cumulative, rng.random(n), side="right").clip(max=len(ITEM_CODES) - 1)
    return popularity[rank]


def _transactions(rng: np.random.Generator, cust: pd.DataFrame, *, item_rng: np.random.Generator,
                  lines: int | None, hist_start: int, as_of: int,
                  reorg_day: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Invoice and credit-note lines (clean), sorted as in an ERP export."""
    pos, days = _purchase_events(rng, cust)
    n_inv = len(pos)
    lam = 2.0 if lines is None else float(np.clip(lines / max(n_inv, 1) / 1.02 - 1.0, 0.0, 40.0))
    years_in = (days - hist_start) / 365.25
    month = _month_index(days)
    basket = cust["basket"].to_numpy()[pos] * rng.lognormal(-0.06, 0.35, size=n_inv)
    basket *= MONTH_BASKET[month] * (1 + PRICE_GROWTH) ** years_in
    total = np.maximum(np.rint(basket * 100), 500).astype(np.int64)
    n_lines = _lines_per_invoice(rng, n_inv, lam)
    line_inv = np.repeat(np.arange(n_inv), n_lines)
    cents = _split_cents(rng, total, n_lines)
    kind = cust["kind"].to_numpy()

    # credit notes: a partial one (one line returned or discounted) on ~3 % of invoices,
    # and every invoice of a "fully cancelled" customer cancelled line by line
    cancelled_inv = kind[pos] == K_CANCELLED
    eligible = (kind[pos] == K_BASE) & (rng.random(n_inv) < 0.03)
    credit_delay = rng.integers(3, 46, size=n_inv)
    eligible &= days + credit_delay <= as_of
    first_line = np.r_[0, np.cumsum(n_lines)[:-1]]
    part_inv = np.flatnonzero(eligible)
    part_line = first_line[part_inv] + rng.integers(0, n_lines[part_inv])
    fraction = np.where(rng.random(len(part_inv)) < 0.5, 1.0, rng.uniform(0.05, 0.3, size=len(part_inv)))
    part_cents = -np.maximum(np.rint(cents[part_line] * fraction), 1).astype(np.int64)
    full_inv = np.flatnonzero(cancelled_inv)
    full_lines = np.flatnonzero(cancelled_inv[line_inv])
    credit_inv = np.r_[part_inv, full_inv]  # invoice each credit note refers to
    credit_days = np.minimum(days[credit_inv] + credit_delay[credit_inv], as_of)
    credit_line_inv = np.r_[part_inv, line_inv[full_lines]]  # per credit-note line
    credit_cents = np.r_[part_cents, -cents[full_lines]]
    credit_doc = np.r_[np.arange(len(part_inv)), len(part_inv) + np.searchsorted(full_inv, line_inv[full_lines])]
    has_ref = np.r_[rng.random(len(part_inv)) < 0.75, np.ones(len(full_inv), dtype=bool)]

    inv_rank, inv_numbers = _invoice_numbers("FA", days, pos)
    cn_rank, cn_numbers = _invoice_numbers("AV", credit_days, pos[credit_inv])
    # assemble all lines
    doc_day = np.r_[days[line_inv], credit_days[credit_doc]]
    doc_cust = np.r_[pos[line_inv], pos[credit_line_inv]]
    amount = np.r_[cents, credit_cents]
    number = np.r_[line_inv, n_inv + credit_doc]  # index into the invoices then credit notes
    doc_rank = np.r_[inv_rank[line_inv], cn_rank[credit_doc]]
    is_credit = np.r_[np.zeros(len(cents), dtype=bool), np.ones(len(credit_cents), dtype=bool)]
    ref = np.r_[np.zeros(len(cents), dtype=np.int64), credit_line_inv]
    ref_valid = np.r_[np.zeros(len(cents), dtype=bool), has_ref[credit_doc]]
    rate = cust["margin_rate"].to_numpy()[doc_cust] + rng.normal(0.0, 0.03, size=len(amount))
    margin = np.rint(amount * np.clip(rate, 0.02, 0.6)).astype(np.int64)
    # salesperson of the line: the customer's, except the Île-de-France customers that
    # changed hands at the reorganisation (their older lines carry the former salesperson)
    sp = cust["salesperson"].to_numpy()[doc_cust]
    idf_sp = [i for i, (_, r) in enumerate(SALESPEOPLE) if r == "Île-de-France"]
    reassigned_cust = np.flatnonzero(
        (cust["salesperson"].to_numpy() == idf_sp[0]) & (cust["kind"].to_numpy() == K_BASE)
        & (cust["start"].to_numpy() < reorg_day) & (cust["end"].to_numpy() > reorg_day)
        & (rng.random(len(cust)) < 0.25)
    )  # fmt: skip
    moved = np.isin(doc_cust, reassigned_cust)
    former = moved & (doc_day < reorg_day)
    sp = np.where(former, idf_sp[1], sp)
    # reported: the customers with lines under both salespeople
    reassigned_cust = np.intersect1d(doc_cust[former], doc_cust[moved & ~former])
    # ERP order: by date, then by number ("AV..." credit notes before "FA..." invoices)
    order = np.lexsort((doc_rank, ~is_credit, doc_day))
    sp_names = tuple(s for s, _ in SALESPEOPLE)
    sp_regions = tuple(r for _, r in SALESPEOPLE)
    ids = cust["customer_id"].to_numpy()
    item = np.r_[_items(item_rng, len(cents)), np.zeros(len(credit_cents), dtype=np.int64)]
    item[len(cents):] = item[:len(cents)][np.r_[part_line, full_lines]]  # the line credited
    item = item[order]
    frame = pd.DataFrame({
        H_CUSTOMER: _text(pa.array(ids, pa.string()), doc_cust[order]),
        H_DATE: pd.to_datetime(doc_day[order].astype("datetime64[D]")).astype("datetime64[ns]"),
        H_INVOICE: _text(pa.concat_arrays([inv_numbers, cn_numbers]), number[order]),
        H_ITEM: pd.Categorical.from_codes(item, categories=pd.Index(ITEM_CODES, dtype="str")),
        H_LABEL: pd.Categorical.from_codes(item, categories=pd.Index(ITEM_LABELS, dtype="str")),
        H_AMOUNT: amount[order] / 100.0,
        H_MARGIN: margin[order] / 100.0,
        H_SALESPERSON: _text(sp_names, sp[order]),
        H_REGION: _text(sp_regions, sp[order]),
        H_TYPE: _text((INVOICE_TYPE, CREDIT_TYPE), is_credit[order].astype(np.int64)),
        H_REF: _text(inv_numbers, ref[order], ref_valid[order]),
    })  # fmt: skip
    return frame, {"reassigned": sorted(ids[reassigned_cust].tolist()), "lines_per_invoice": lam}


def _plant_dirty_rows(rng: np.random.Generator, tx: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Insert the dirty rows (copies of random invoice lines, each spoilt one way)."""
    n = len(tx)
    invoices = np.flatnonzero((tx[H_TYPE] == INVOICE_TYPE).to_numpy())
    kinds = ["duplicate"] * N_DUPLICATES + [k for k, v in DIRTY_TEXT.items() for _ in v]
    source = np.sort(rng.choice(invoices, size=len(kinds), replace=False))
    kinds_arr = np.array(kinds, dtype=object)[rng.permutation(len(kinds))]
    after = np.r_[np.arange(n) * 2, source * 2 + 1]  # a copy goes right after its original
    order = np.argsort(after, kind="stable")
    extra = pd.DataFrame(tx.iloc[source].to_dict("list"))
    extra = extra.astype(tx.dtypes.to_dict())
    is_missing = kinds_arr == "missing_customer"
    is_amount = kinds_arr == "text_amount"
    is_date = kinds_arr == "bad_date"
    extra[H_CUSTOMER] = extra[H_CUSTOMER].where(~is_missing)
    extra[H_AMOUNT] = extra[H_AMOUNT].where(~is_amount)
    extra[H_MARGIN] = extra[H_MARGIN].where(~is_amount)
    extra[H_DATE] = extra[H_DATE].where(~is_date)
    combined = pd.concat([tx, extra], ignore_index=True).take(order).reset_index(drop=True)
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    extra_pos = position[n:]
    dirty = {k: sorted(extra_pos[kinds_arr == k].tolist()) for k in ("duplicate", *DIRTY_TEXT)}
    return combined, dirty


# --------------------------------------------------------------------------------------
# activity log
# --------------------------------------------------------------------------------------
def _activity(rng: np.random.Generator, cust: pd.DataFrame, *, hist_start: int, as_of: int,
              bonus_window: tuple[int, int]) -> pd.DataFrame:
    """Contacts received, outbound calls and completed calls per salesperson and working day."""
    days = np.arange(hist_start, as_of + 1)
    days = days[_weekday(days) < 5]
    n_sp = len(SALESPEOPLE)
    grid_sp = np.repeat(np.arange(n_sp), len(days))
    grid_day = np.tile(days, n_sp)
    in_bonus = (grid_sp == BONUS_SALESPERSON) & (grid_day >= bonus_window[0]) & (grid_day < bonus_window[1])
    contacts = rng.poisson(0.8, size=len(grid_day))
    calls = rng.poisson(np.where(in_bonus, 4.0, 2.2))
    completed = rng.binomial(calls, np.where(in_bonus, 0.4, 0.6))
    counts = np.c_[contacts, calls, completed]
    kind = np.repeat(np.tile(np.arange(3), len(grid_day)), counts.ravel())
    cell = np.repeat(np.repeat(np.arange(len(grid_day)), 3), counts.ravel())
    sp = grid_sp[cell]
    minute = rng.integers(8 * 60 + 30, 18 * 60, size=len(cell))
    when = grid_day[cell].astype("datetime64[D]").astype("datetime64[m]") + minute.astype("timedelta64[m]")
    # the customer concerned: one of the salesperson's customers (unknown for some contacts)
    cust_sp = cust["salesperson"].to_numpy()
    by_sp = np.argsort(cust_sp, kind="stable")
    first = np.searchsorted(cust_sp[by_sp], np.arange(n_sp))
    size = np.bincount(cust_sp, minlength=n_sp)
    pick = by_sp[np.minimum(first[sp] + (rng.random(len(sp)) * size[sp]).astype(np.int64), len(by_sp) - 1)]
    client = cust["customer_id"].to_numpy()[pick].astype(object)
    client[(kind == 0) & (rng.random(len(kind)) < 0.25)] = None
    order = np.lexsort((kind, sp, when))
    types = np.array([ACTIVITY_TYPES[k] for k in ("contact_received", "call", "call_completed")], dtype=object)
    sp_names = np.array([s for s, _ in SALESPEOPLE], dtype=object)
    return pd.DataFrame({
        "Date": pd.to_datetime(when[order]).astype("datetime64[ns]"),
        "Commercial": pd.array(sp_names[sp[order]], dtype="str"),
        "Type": pd.array(types[kind[order]], dtype="str"),
        "Client": pd.array(client[order], dtype="str"),
    })  # fmt: skip


# --------------------------------------------------------------------------------------
# config
# --------------------------------------------------------------------------------------
CONFIG_TEMPLATE = """\
# Demo client written by `icpc sample` (seed {seed}). The company and its data are fictional.
# Copy this file next to a real client's exports and adapt the headers under `columns:`.
client: "{client}"
slug: {slug}
as_of: {as_of}
period_months: 12
language: fr
currency: EUR
basis: revenue
transactions:
  path: {tx_path}
  encoding: auto
  delimiter: auto
  decimal: auto
  date_format: auto
  drop_duplicates: false
  columns:
    customer_id: "Code client"
    date: "Date facture"
    amount: "Montant HT"
    invoice_id: "N° facture"
    margin: "Marge"
    salesperson: "Commercial"
    region: "Secteur"
    document_type: "Type"
customers:
  path: {customers_file}
  columns:
    customer_id: "Code"
    name: "Raison sociale"
    address: "Adresse"
    postcode: "CP"
    city: "Ville"
    created_at: "Date création"
    siret: "SIRET"
activity:
  path: activite.csv
  columns: {{date: "Date", salesperson: "Commercial", type: "Type", customer_id: "Client"}}
  types:
    contact_received: ["Contact entrant"]
    call: ["Appel sortant"]
    call_completed: ["Appel abouti"]
thresholds:
  lost_after_days: 365
  overdue_ratio: 2.0
  min_purchases_for_rhythm: 3
branding:
  firm: "{firm}"
  consultant: "{consultant}"
"""


#: the transactions block of client.yaml when the demo's books are written as a FEC
FEC_FILE = "FEC.txt"
FEC_TRANSACTIONS = """\
transactions:
  path: {path}
  format: fec
  encoding: auto
  delimiter: auto
  fec:
    sales_accounts: ["70"]
    customer_accounts: ["411"]
    exclude_journals: []
"""


def _config_text(*, seed: int, as_of: dt.date, fmt: str, fec: bool = False) -> str:
    text = CONFIG_TEMPLATE.format(
        seed=seed, client=CLIENT_NAME, slug=CLIENT_SLUG, as_of=as_of.isoformat(),
        tx_path="factures.parquet" if fmt == "parquet" else "factures.csv", firm=FIRM, consultant=CONSULTANT,
        customers_file="clients.parquet" if fmt == "parquet" else 'clients.xlsx\n  sheet: "Clients"',
    )  # fmt: skip
    if fec:  # the FEC's columns are fixed by law: no columns block
        start, end = text.index("transactions:\n"), text.index("customers:\n")
        text = text[:start] + FEC_TRANSACTIONS.format(path=FEC_FILE) + text[end:]
        text = text.replace("adapt the headers under `columns:`.", "adapt the headers under `columns:`\n"
                            "# (the transactions are a FEC, whose fields are fixed: no columns to map).")
    return text


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def _check_options(customers: int | None, years: int, lines: int | None) -> None:
    if isinstance(years, bool) or not isinstance(years, int) or years < 2:
        raise ConfigError(f"icpc sample: --years must be a whole number >= 2 (periods N and N-1), found {years!r}")
    if customers is not None and (isinstance(customers, bool) or not isinstance(customers, int) or customers < 100):
        raise ConfigError(f"icpc sample: --customers must be a whole number >= 100, found {customers!r}")
    if lines is not None and (isinstance(lines, bool) or not isinstance(lines, int) or lines < 1000):
        raise ConfigError(f"icpc sample: --lines must be a whole number >= 1000, found {lines!r}")


def generate_sample(
    *,
    seed: int = 42,
    customers: int | None = None,
    years: int = 3,
    lines: int | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
) -> Sample:
    """Generate the demo client (client de démonstration) and its planted story.

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives the same sample.
    customers : int, optional
        Number of customers (master file), default 400, or sized from ``lines``.
    years : int
        Years of history up to ``as_of`` (at least 2: periods N and N-1).
    lines : int, optional
        Target number of invoice lines (for benchmarks); the result is within a few percent.
        Without ``customers``, the number of customers is scaled to match (8,000,000 lines:
        about 180,000 customers and 930 MB of CSV).
    as_of : date
        Last day of the data and of period N (12 months).

    Returns
    -------
    Sample
        ``transactions``, ``customers``, ``activity`` frames with the client's headers,
        ``config`` (client.yaml content) and ``truth``, a dict with:
        ``bonus_salesperson`` (str), ``bonus_window`` (first and last day, ISO strings),
        ``bonus_customers`` (ids created under the bonus), ``bonus_clusters`` (lists of ids
        sharing one address, written with variants), ``lost_big`` (big customers whose last
        purchase is in N-1), ``slipping`` (steady customers silent for the last 100-175
        days), ``fully_cancelled`` (every invoice cancelled by a credit note, net 0),
        ``prospects`` (in the master, never bought), ``reassigned`` (customers whose
        older lines carry a former salesperson), ``dirty_rows`` (count per kind:
        ``missing_customer``, ``text_amount``, ``bad_date``, ``duplicate``, ``total_line``)
        and ``dirty_positions`` (0-based row of each planted row in ``transactions``).

    Raises
    ------
    ConfigError
        On an impossible option (fewer than 2 years, fewer than 100 customers...).
    """
    _check_options(customers, years, lines)
    rng = np.random.default_rng(seed)
    as_of_day = _day(as_of)
    n_start_date = _shift_months(as_of + dt.timedelta(days=1), -12)
    n_start = _day(n_start_date)
    hist_start = _day(_shift_months(as_of + dt.timedelta(days=1), -12 * years))
    bonus_window = (_day(_shift_months(n_start_date, 2)), _day(_shift_months(n_start_date, 6)))
    reorg_day = _day(_shift_months(n_start_date, -6))
    if customers is None:
        customers = DEFAULT_CUSTOMERS if lines is None else max(100, round(lines / (LINES_PER_CUSTOMER_YEAR * years)))
    cust = _build_customers(rng, customers, hist_start=hist_start, n_start=n_start, as_of=as_of_day,
                            bonus_window=bonus_window)  # fmt: skip
    master, clusters = _customer_master(rng, cust)
    item_rng = np.random.default_rng([seed, 1])  # its own stream: items change nothing else
    clean, extra = _transactions(rng, cust, item_rng=item_rng, lines=lines, hist_start=hist_start, as_of=as_of_day, reorg_day=reorg_day)
    tx, dirty_pos = _plant_dirty_rows(rng, clean)
    activity = _activity(rng, cust, hist_start=hist_start, as_of=as_of_day, bonus_window=bonus_window)
    ids = cust["customer_id"].to_numpy()
    kind = cust["kind"].to_numpy()

    def of(k: int) -> list[str]:
        return sorted(ids[kind == k].tolist())

    truth: dict[str, Any] = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "bonus_salesperson": SALESPEOPLE[BONUS_SALESPERSON][0],
        "bonus_window": [str(np.datetime64(bonus_window[0], "D")), str(np.datetime64(bonus_window[1] - 1, "D"))],
        "bonus_customers": of(K_BONUS),
        "bonus_clusters": clusters,
        "lost_big": of(K_LOST_BIG),
        "slipping": of(K_SLIPPING),
        "fully_cancelled": of(K_CANCELLED),
        "prospects": of(K_PROSPECT),
        "reassigned": extra["reassigned"],
        "dirty_rows": {**{k: len(v) for k, v in dirty_pos.items()}, "total_line": 1},
        "dirty_positions": dirty_pos,
    }
    config = yaml.safe_load(_config_text(seed=seed, as_of=as_of, fmt="csv"))
    return Sample(transactions=tx, customers=master, activity=activity, config=config, truth=truth)


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------
def _french_amounts(values: pd.Series) -> pa.Array:
    """Amounts as French text: ``-1234,50`` (decimal comma, no thousands separator)."""
    cents = np.rint(values.to_numpy(dtype=np.float64, na_value=np.nan) * 100)
    valid = ~np.isnan(cents)
    c = np.where(valid, cents, 0).astype(np.int64)
    a = np.abs(c)
    units = pc.cast(pa.array(a // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(c < 0, "-", ""), pa.string())
    text = pc.binary_join_element_wise(sign, units, pa.array(np.full(len(c), ",", dtype=object), pa.string()), frac, "")
    return pc.if_else(pa.array(valid), text, pa.nulls(len(c), pa.string()))


def _french_dates(values: pd.Series, fmt: str = "%d/%m/%Y") -> pa.Array:
    ts = pa.array(values.to_numpy(dtype="datetime64[s]"), pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


def _str_array(values: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (nulls kept), without Python objects."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        dictionary = pa.array(values.cat.categories.to_numpy(dtype=object), pa.string())
        return pc.take(dictionary, pa.array(codes, mask=codes < 0))
    return pc.cast(pa.array(values), pa.string())


def _patch(arr: pa.Array, positions: list[int], texts: list[str]) -> pa.Array:
    """Put raw ``texts`` at ``positions`` of a string array (the planted dirty cells)."""
    if not positions:
        return arr
    mask = np.zeros(len(arr), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(texts, pa.string()))


def _write_csv(batches: Iterator[pa.Table], path: Path, *, header: tuple[str, ...], encoding: str,
               delimiter: str, eol: str, footer: str = "") -> None:
    """Write tables of strings as CSV (no quotes needed), transcoded to ``encoding``."""
    options = pacsv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style="none", eol=eol)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write((delimiter.join(header) + eol).encode(encoding))
        for table in batches:
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, options)
            data = buf.getvalue()
            fh.write(data if encoding == "utf-8" else data.decode("utf-8").encode(encoding))
        if footer:
            fh.write((footer + eol).encode(encoding))


def _transaction_batches(sample: Sample, batch_rows: int) -> Iterator[pa.Table]:
    """factures.csv as text, ``batch_rows`` rows at a time, the planted dirty cells included."""
    tx = sample.transactions
    pos = {k: np.asarray(v, dtype=np.int64) for k, v in sample.truth["dirty_positions"].items()}
    year = int(sample.truth["as_of"][:4])
    bad_dates = np.array([t.format(year=year) for t in DIRTY_TEXT["bad_date"]], dtype=object)
    bad_amounts = np.array(DIRTY_TEXT["text_amount"], dtype=object)
    for offset in range(0, len(tx), batch_rows):
        part = tx.iloc[offset : offset + batch_rows]
        stop = offset + len(part)

        def local(kind: str, stop: int = stop, offset: int = offset) -> tuple[list[int], np.ndarray]:
            inside = (pos[kind] >= offset) & (pos[kind] < stop)
            return (pos[kind][inside] - offset).tolist(), inside

        date_at, date_in = local("bad_date")
        amount_at, amount_in = local("text_amount")
        yield pa.table({
            H_CUSTOMER: _str_array(part[H_CUSTOMER]),
            H_DATE: _patch(_french_dates(part[H_DATE]), date_at, bad_dates[date_in].tolist()),
            H_INVOICE: _str_array(part[H_INVOICE]),
            H_ITEM: _str_array(part[H_ITEM]),
            H_LABEL: _str_array(part[H_LABEL]),
            H_AMOUNT: _patch(_french_amounts(part[H_AMOUNT]), amount_at, bad_amounts[amount_in].tolist()),
            H_MARGIN: _french_amounts(part[H_MARGIN]),
            H_SALESPERSON: _str_array(part[H_SALESPERSON]),
            H_REGION: _str_array(part[H_REGION]),
            H_TYPE: _str_array(part[H_TYPE]),
            H_REF: _str_array(part[H_REF]),
        })  # fmt: skip


def _write_transactions_csv(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    tx = sample.transactions
    total = _french_amounts(pd.Series([round(tx[H_AMOUNT].sum(), 2), round(tx[H_MARGIN].sum(), 2)]))
    footer = [""] * len(TRANSACTION_HEADERS)
    footer[0] = "Total général"
    footer[TRANSACTION_HEADERS.index(H_AMOUNT)] = total[0].as_py()
    footer[TRANSACTION_HEADERS.index(H_MARGIN)] = total[1].as_py()
    _write_csv(_transaction_batches(sample, batch_rows), path, header=TRANSACTION_HEADERS, encoding="cp1252",
               delimiter=";", eol="\r\n", footer=";".join(footer))  # fmt: skip


def _write_transactions_parquet(sample: Sample, path: Path) -> None:
    tx = sample.transactions
    table = pa.table({
        H_CUSTOMER: _str_array(tx[H_CUSTOMER]),
        H_DATE: pa.array(tx[H_DATE].to_numpy(dtype="datetime64[D]"), pa.date32()),
        H_INVOICE: _str_array(tx[H_INVOICE]),
        H_ITEM: _str_array(tx[H_ITEM]),
        H_LABEL: _str_array(tx[H_LABEL]),
        H_AMOUNT: pa.array(tx[H_AMOUNT].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_MARGIN: pa.array(tx[H_MARGIN].to_numpy(dtype=np.float64), pa.float64(), from_pandas=True),
        H_SALESPERSON: _str_array(tx[H_SALESPERSON]),
        H_REGION: _str_array(tx[H_REGION]),
        H_TYPE: _str_array(tx[H_TYPE]),
        H_REF: _str_array(tx[H_REF]),
    })  # fmt: skip
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_customers_xlsx(sample: Sample, path: Path) -> None:
    import xlsxwriter

    master = sample.customers
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False})
        wb.set_properties({"title": "Fichier clients", "author": CLIENT_NAME,
                           "created": dt.datetime(2025, 1, 2, 8, 0, 0)})  # fmt: skip
        ws = wb.add_worksheet("Clients")
        bold = wb.add_format({"bold": True})
        text = wb.add_format({"num_format": "@"})
        date = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_string(0, 0, f"Fichier clients — {CLIENT_NAME} — extraction du 02/01/2025", bold)
        for col, header in enumerate(CUSTOMER_HEADERS):
            ws.write_string(2, col, header, bold)
        columns = [master[h].to_numpy(dtype=object, na_value=None) for h in CUSTOMER_HEADERS]
        created = master["Date création"].dt.to_pydatetime()
        for row in range(len(master)):  # cell by cell: the xlsx format has no bulk write
            r = row + 3
            for col, values in enumerate(columns):
                value = values[row]
                if col == 5:
                    ws.write_datetime(r, col, created[row], date)
                elif value is not None:
                    ws.write_string(r, col, value, text if col in (0, 3, 6) else None)
        ws.set_column(0, 0, 9)
        ws.set_column(1, 2, 34)
        ws.set_column(3, 3, 7)
        ws.set_column(4, 4, 22)
        ws.set_column(5, 6, 16)
        wb.close()


def _write_customers_parquet(sample: Sample, path: Path) -> None:
    """The customer master as Parquet (typed: text columns, creation date as a date)."""
    master = sample.customers
    columns = {h: _str_array(master[h]) for h in CUSTOMER_HEADERS if h != "Date création"}
    columns["Date création"] = pa.array(master["Date création"].to_numpy(dtype="datetime64[D]"), pa.date32())
    table = pa.table({h: columns[h] for h in CUSTOMER_HEADERS})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _write_activity_csv(sample: Sample, path: Path) -> None:
    act = sample.activity
    table = pa.table({
        "Date": _french_dates(act["Date"], "%d/%m/%Y %H:%M"),
        "Commercial": _str_array(act["Commercial"]),
        "Type": _str_array(act["Type"]),
        "Client": _str_array(act["Client"]),
    })  # fmt: skip
    _write_csv(iter([table]), path, header=ACTIVITY_HEADERS, encoding="utf-8", delimiter=",", eol="\n")


def _write_fec(sample: Sample, path: Path, *, batch_rows: int = 1_000_000) -> None:
    """The demo's books as a FEC: ISO-8859-15, ``|``, decimal comma, CRLF (:mod:`icpc.datasets.fec`)."""
    from icpc.datasets.fec import FEC_ENCODING, FEC_HEADERS, fec_table

    table = fec_table(sample)
    batches = (table.slice(i, batch_rows) for i in range(0, table.num_rows, batch_rows))
    _write_csv(batches, path, header=FEC_HEADERS, encoding=FEC_ENCODING, delimiter="|", eol="\r\n")


def write_sample(
    directory: str | Path,
    *,
    seed: int = 42,
    customers: int | None = None,
    years: int = 3,
    lines: int | None = None,
    fmt: str = "csv",
    fec: bool = False,
) -> Path:
    """Write the demo client (client de démonstration): config and exports, into a folder.

    Parameters
    ----------
    directory : str or Path
        Folder to write into (created if needed; files of the same names are replaced).
    seed, customers, years, lines
        As in :func:`generate_sample`.
    fmt : {"csv", "parquet"}
        Format of the transactions file: ``factures.csv`` (cp1252, ``;``, decimal comma,
        dd/mm/yyyy, CRLF, a "Total général" line) or ``factures.parquet`` (typed columns;
        the planted unparseable cells are nulls and there is no totals line). With
        ``parquet`` the customer master is ``clients.parquet`` too, else ``clients.xlsx``.
    fec : bool
        Write the demo's books as a FEC (``FEC.txt``: ISO-8859-15, ``|``, decimal comma)
        instead of the invoice lines, and a config with ``format: fec``: one sales entry
        per invoice or credit note of the invoice lines used (same KPIs as the
        invoice-line export), plus payments, purchases and opening entries. ``fmt`` then
        only chooses the customer master's format.

    Returns
    -------
    Path
        The written ``client.yaml``.

    Raises
    ------
    ConfigError
        On an unknown ``fmt`` or an impossible option.
    """
    fmt = str(fmt).lower()
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"icpc sample: --format must be csv or parquet, found {fmt!r}")
    sample = generate_sample(seed=seed, customers=customers, years=years, lines=lines)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if fec:
        _write_fec(sample, out / FEC_FILE)
    elif fmt == "parquet":
        _write_transactions_parquet(sample, out / "factures.parquet")
    else:
        _write_transactions_csv(sample, out / "factures.csv")
    if fmt == "parquet":
        _write_customers_parquet(sample, out / "clients.parquet")
    else:
        _write_customers_xlsx(sample, out / "clients.xlsx")
    _write_activity_csv(sample, out / "activite.csv")
    as_of = dt.date.fromisoformat(sample.truth["as_of"])
    config_path = atomic_write_text(out / "client.yaml", _config_text(seed=seed, as_of=as_of, fmt=fmt, fec=fec))
    files = ("factures.parquet", "clients.parquet") if fmt == "parquet" else ("factures.csv", "clients.xlsx")
    if fec:
        files = (FEC_FILE, files[1])
    for name in (*files, "activite.csv", "client.yaml"):
        (out / name).chmod(0o644)  # the temporary files of atomic writes are private (0600)
    return config_path
