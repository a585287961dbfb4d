"""Canonical column names, defined once.

Client headers are mapped to these names at the boundary (:mod:`icpc.io`,
:mod:`icpc.cleaning`); every analysis works with these names only.
"""

from __future__ import annotations

from typing import Final

# --- transactions (invoice lines) -------------------------------------------------------
CUSTOMER_ID: Final = "customer_id"
DATE: Final = "date"
AMOUNT: Final = "amount"
INVOICE_ID: Final = "invoice_id"
MARGIN: Final = "margin"
SALESPERSON: Final = "salesperson"
REGION: Final = "region"
DOCUMENT_TYPE: Final = "document_type"
PRODUCT: Final = "product"
PRODUCT_FAMILY: Final = "product_family"
QUANTITY: Final = "quantity"
#: what a reader adds to tell apart lines otherwise alike (a FEC's entry, account and label);
#: the exact-duplicate screen compares it too. Not a column of the canonical frame.
LINE_KEY: Final = "line_key"
#: 1-based line number in the source file (header line excluded), kept for messages.
SOURCE_ROW: Final = "source_row"

TRANSACTION_REQUIRED: Final = (CUSTOMER_ID, DATE, AMOUNT)
TRANSACTION_OPTIONAL: Final = (
    INVOICE_ID,
    MARGIN,
    SALESPERSON,
    REGION,
    DOCUMENT_TYPE,
    PRODUCT,
    PRODUCT_FAMILY,
    QUANTITY,
)
TRANSACTION_COLUMNS: Final = TRANSACTION_REQUIRED + TRANSACTION_OPTIONAL

# --- customer master -------------------------------------------------------------------
NAME: Final = "name"
ADDRESS: Final = "address"
POSTCODE: Final = "postcode"
CITY: Final = "city"
CREATED_AT: Final = "created_at"
SIRET: Final = "siret"
PHONE: Final = "phone"
EMAIL: Final = "email"
CONTACT: Final = "contact"

CUSTOMER_REQUIRED: Final = (CUSTOMER_ID,)
CUSTOMER_OPTIONAL: Final = (
    NAME,
    ADDRESS,
    POSTCODE,
    CITY,
    CREATED_AT,
    SIRET,
    PHONE,
    EMAIL,
    CONTACT,
    SALESPERSON,
    REGION,
)
CUSTOMER_COLUMNS: Final = CUSTOMER_REQUIRED + CUSTOMER_OPTIONAL

# --- activity log ----------------------------------------------------------------------
ACTIVITY_TYPE: Final = "type"
ACTIVITY_REQUIRED: Final = (DATE, SALESPERSON, ACTIVITY_TYPE)
ACTIVITY_OPTIONAL: Final = (CUSTOMER_ID,)
ACTIVITY_COLUMNS: Final = ACTIVITY_REQUIRED + ACTIVITY_OPTIONAL
#: canonical activity kinds (values of ``activity.types`` keys in client.yaml)
ACTIVITY_KINDS: Final = ("contact_received", "call", "call_completed")
