"""The demo client's story: its company, team, catalogue, rhythms and the planted facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "H_CUSTOMER",
    "H_DATE",
    "H_INVOICE",
    "H_AMOUNT",
    "H_MARGIN",
    "H_SALESPERSON",
    "H_REGION",
    "H_TYPE",
    "H_REF",
    "H_ITEM",
    "H_LABEL",
    "H_FAMILY",
    "H_QUANTITY",
    "FAMILIES",
    "AREA_CODES",
    "TRANSACTION_HEADERS",
    "CUSTOMER_HEADERS",
    "ACTIVITY_HEADERS",
    "INVOICE_TYPE",
    "ACTIVITY_TYPES",
    "CLIENT_NAME",
    "CLIENT_SLUG",
    "FIRM",
    "CONSULTANT",
    "DEFAULT_CUSTOMERS",
    "DEFAULT_AS_OF",
    "LINES_PER_CUSTOMER_YEAR",
    "DIRTY_TEXT",
    "N_DUPLICATES",
    "REGIONS",
    "REGION_SHARE",
    "SALESPEOPLE",
    "BONUS_SALESPERSON",
    "CITIES",
    "STREET_TYPES",
    "STREET_NAMES",
    "SURNAMES",
    "TRADES",
    "COMPANY_PATTERNS",
    "FIRST_NAMES",
    "HOUSEHOLD_PATTERNS",
    "CATALOGUE",
    "ITEM_LABELS",
    "ITEM_CODES",
    "RHYTHMS",
    "MONTH_KEEP",
    "MONTH_BASKET",
    "PRICE_GROWTH",
    "K_BASE",
    "Sample",
]


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


H_FAMILY = "Famille"


H_QUANTITY = "Quantité"


#: headers of factures.csv, in file order ("Réf. facture": invoice a credit note refers to)
TRANSACTION_HEADERS = (H_CUSTOMER, H_DATE, H_INVOICE, H_ITEM, H_LABEL, H_FAMILY, H_QUANTITY,
                       H_AMOUNT, H_MARGIN, H_SALESPERSON, H_REGION, H_TYPE, H_REF)  # fmt: skip


#: headers of clients.xlsx, in file order
CUSTOMER_HEADERS = ("Code", "Raison sociale", "Adresse", "CP", "Ville", "Date création", "SIRET",
                    "Interlocuteur", "Téléphone", "E-mail")  # fmt: skip


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


#: the catalogue's families (Famille), by the prefix of their item codes
FAMILIES = {"PLB": "Plomberie", "ELE": "Électricité", "SAN": "Sanitaire", "CHA": "Chauffage",
            "QUI": "Quincaillerie", "OUT": "Outillage", "EPI": "Protection individuelle"}  # fmt: skip


#: first two digits of a landline by region (the French numbering plan's zones)
AREA_CODES = {"Nord": "03", "Est": "03", "Ouest": "02", "Sud": "04", "Île-de-France": "01"}


ITEM_CODES = tuple(
    f"{family}-{100 * f + i + 1:04d}"
    for f, (family, _, sizes) in enumerate(CATALOGUE)
    for i in range(len(sizes))
)


RHYTHMS = (
    ("weekly", 7.0, 0.08, 250.0),
    ("monthly", 30.4, 0.37, 650.0),
    ("bimonthly", 60.9, 0.20, 1000.0),
    ("quarterly", 91.3, 0.22, 1500.0),
    ("annual", 365.0, 0.13, 2600.0),
)


MONTH_KEEP = np.array([0.9, 0.95, 1.0, 1.0, 1.0, 0.95, 0.9, 0.45, 1.0, 1.0, 1.0, 0.8])


MONTH_BASKET = np.array([0.9, 0.95, 1.05, 1.1, 1.15, 1.1, 1.0, 0.85, 1.05, 1.0, 0.95, 0.9])


PRICE_GROWTH = 0.03  # per year


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
