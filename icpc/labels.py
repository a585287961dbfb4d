"""Every label of the report and of the Excel workbook, in French and English, in one place.

``label(key, language)`` returns the text of a key; ``LABELS`` maps each key to its
``(fr, en)`` pair. Keys are the English identifiers used in the code (KPI keys of
kpis.json, canonical column names, segment names, section ids), so a table can be
translated with :func:`column_labels`.

Example
-------
>>> label("average_basket", "fr")
'Panier moyen'
>>> label("average_basket", "en")
'Average basket'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from icpc.sentences import DEFINITIONS, SENTENCES
from icpc.sentences_findings import FINDINGS
from icpc.sentences_scorecard import SCORECARD
from icpc.sentences_workbook import WORKBOOK
from icpc.text import typeset

__all__ = [
    "LABELS",
    "SEGMENT_LABELS",
    "DEFINITIONS",
    "LEDGER_REASONS",
    "label",
    "plural",
    "LOCALES",
    "locale_for",
    "reason_label",
    "value_label",
    "column_labels",
    "segment_label",
    "section_title",
]

#: key -> (French, English)
LABELS: dict[str, tuple[str, str]] = {
    # --- sections (headings of the report) -------------------------------------------
    "section.executive_summary": ("Synthèse", "Executive summary"),
    "section.action_plan": ("Plan d'action", "Action plan"),
    "section.revenue": ("Le chiffre d'affaires expliqué", "Revenue explained"),
    "section.dynamics": ("Dynamique du portefeuille clients", "Customer dynamics"),
    "section.segments": ("Segments Score3D", "Score3D segments"),
    "section.early_warning": ("Clients en décrochage", "Early warning"),
    "section.concentration": ("Concentration du chiffre d'affaires", "Revenue concentration"),
    "section.sales_team": ("Équipe commerciale", "Sales team"),
    "section.activity": ("Activité commerciale", "Sales activity"),
    "section.data_quality": ("Qualité des données et méthode", "Data quality and method"),
    # --- sub-headings --------------------------------------------------------------------
    "sub.findings": ("Ce qu'il faut retenir", "Key findings"),
    "sub.monthly": ("Évolution mensuelle", "Monthly trend"),
    "sub.bridge": (
        "Du chiffre d'affaires N−1 au chiffre d'affaires N",
        "From revenue N−1 to revenue N",
    ),
    "sub.decomposition": ("Clients × fréquence × panier", "Customers × frequency × basket"),
    "sub.lost": ("Clients perdus", "Lost customers"),
    "sub.lost_since": (
        "Clients perdus par date de dernier achat",
        "Lost customers by date of last purchase",
    ),
    "sub.cohorts": ("Fidélité des cohortes", "Cohort retention"),
    "sub.segment_profiles": ("Profil et action par segment", "Profile and action per segment"),
    "sub.rf_grid": ("Récence × fréquence", "Recency × frequency"),
    "sub.migration": ("Migrations entre segments", "Migration between segments"),
    "sub.at_risk": ("Clients à appeler en priorité", "Customers to call first"),
    "sub.pareto": ("Courbe de Pareto", "Pareto curve"),
    "sub.top_customers": ("Premiers clients", "Top customers"),
    "sub.by_salesperson": ("Par commercial", "By salesperson"),
    "sub.by_region": ("Par secteur", "By region"),
    "sub.funnel": ("Des contacts aux ventes", "From contacts to sales"),
    "sub.ledger": (
        "Registre des données (tout le fichier, pas seulement la période N)",
        "Data ledger (the whole file, not only period N)",
    ),
    "sub.exclusions": ("Lignes écartées", "Rows excluded"),
    "sub.anomalies": (
        "Clients partageant une adresse ou un SIRET",
        "Customers sharing an address or a SIRET",
    ),
    "sub.definitions": ("Glossaire", "Glossary"),
    "sub.segment_rules": ("Règles des segments Score3D", "Score3D segment rules"),
    "sub.method": ("Méthode", "Method"),
    # --- KPIs (keys of kpis.json) --------------------------------------------------------
    "revenue": ("Chiffre d'affaires", "Revenue"),
    "margin": ("Marge", "Margin"),
    "margin_rate": ("Taux de marge", "Margin rate"),
    "sales_count": ("Nombre de ventes", "Number of sales"),
    "active_customers": ("Clients actifs", "Active customers"),
    "average_basket": ("Panier moyen", "Average basket"),
    "purchase_frequency": ("Fréquence d'achat", "Purchase frequency"),
    "revenue_per_customer": ("CA par client", "Revenue per customer"),
    "new_customers": ("Nouveaux clients", "New customers"),
    "retained_customers": ("Clients fidélisés", "Retained customers"),
    "reactivated_customers": ("Clients réactivés", "Reactivated customers"),
    "lost_customers": ("Clients perdus", "Lost customers"),
    "lost_revenue": ("CA perdu", "Lost revenue"),
    "churn_rate": ("Taux d'attrition", "Churn rate"),
    "retention_rate": ("Taux de fidélisation", "Retention rate"),
    "value_at_stake": ("CA en jeu", "Value at stake"),
    "guardrail": ("Pare-feu", "Guardrail"),
    "top1_share": ("Part du premier client (CA N)", "Share of the first customer (revenue N)"),
    "top5_share": (
        "Part des 5 premiers clients (CA N)",
        "Share of the top 5 customers (revenue N)",
    ),
    "top10_share": (
        "Part des 10 premiers clients (CA N)",
        "Share of the top 10 customers (revenue N)",
    ),
    "top_20_share": (
        "Part des 20 % premiers clients (CA N)",
        "Share of the top 20% of customers (revenue N)",
    ),
    "revenue_without_top3": (
        "CA N sans les 3 premiers clients",
        "Revenue N without the top 3 customers",
    ),
    "herfindahl": ("Indice de Herfindahl", "Herfindahl index"),
    "creation_to_check": ("Création à vérifier", "Creation to check"),
    "flagged": ("Clients signalés", "Customers flagged"),
    # --- periods -----------------------------------------------------------------------
    "current": ("N", "N"),
    "previous": ("N−1", "N−1"),
    "change": ("Écart", "Change"),
    "change_pct": ("Évolution", "Change %"),
    "rolling_12": ("Cumul 12 mois glissants", "Rolling 12 months"),
    "month": ("Mois", "Month"),
    # --- bridge classes and decomposition effects ----------------------------------------
    "bridge.start": ("CA N−1", "Revenue N−1"),
    "bridge.end": ("CA N", "Revenue N"),
    "bridge.new": ("Nouveaux clients", "New customers"),
    "bridge.reactivated": ("Clients réactivés", "Reactivated"),
    "bridge.retained": ("Clients fidélisés", "Retained"),
    "bridge.retained_frequency": ("Fidélisés : fréquence", "Retained: frequency"),
    "bridge.retained_basket": ("Fidélisés : panier", "Retained: basket"),
    "bridge.lost": ("Clients perdus", "Lost customers"),
    "bridge.other": ("Autres", "Other"),
    "effect.customers": ("Effet nombre de clients", "Customers effect"),
    "effect.frequency": ("Effet fréquence d'achat", "Frequency effect"),
    "effect.basket": ("Effet panier moyen", "Basket effect"),
    "effect.total": ("Variation du CA", "Revenue change"),
    # --- customer status ---------------------------------------------------------------
    "status.new": ("Nouveau", "New"),
    "status.active": ("Actif", "Active"),
    "status.slipping": ("En décrochage", "Slipping"),
    "status.lost": ("Perdu", "Lost"),
    "status.no sale": ("Sans vente", "No sale"),
    # --- columns of tables and of the Excel workbook -------------------------------------
    "customer_id": ("Code client", "Customer id"),
    "name": ("Raison sociale", "Name"),
    "address": ("Adresse", "Address"),
    "postcode": ("Code postal", "Postcode"),
    "city": ("Ville", "City"),
    "siret": ("SIRET", "SIRET"),
    "created_at": ("Date de création", "Created on"),
    "salesperson": ("Commercial", "Salesperson"),
    "region": ("Secteur", "Region"),
    "first_sale": ("Premier achat", "First purchase"),
    "last_sale": ("Dernier achat", "Last purchase"),
    "recency_days": ("Récence (jours)", "Recency (days)"),
    "frequency": ("Fréquence (achats)", "Frequency (purchases)"),
    "monetary": ("Montant", "Monetary"),
    "r_score": ("Score R", "R score"),
    "f_score": ("Score F", "F score"),
    "m_score": ("Score M", "M score"),
    "rfm_score": ("Score3D", "Score3D"),
    "segment": ("Segment", "Segment"),
    "status": ("Statut", "Status"),
    "usual_interval_days": ("Rythme habituel (jours)", "Usual interval (days)"),
    "overdue_ratio": ("Retard (×\u00a0rythme)", "Overdue (×\u00a0interval)"),  # one line
    "early_warning": ("Décrochage", "Early warning"),
    "reason": ("Motif", "Reason"),
    "duplicate_group": ("Groupe de clients liés", "Group of linked customers"),
    "days_since_last_sale": ("Jours sans achat", "Days without purchase"),
    "first_created": ("Première création", "First created"),
    "last_created": ("Dernière création", "Last created"),
    "match": ("Lien", "Link"),
    "created": ("Date de création", "Created on"),
    "trend_change": ("Évolution sur 6 mois", "6-month change"),
    "bridge_class": ("Classe N/N−1", "Class N/N−1"),
    # --- values of coded columns (see value_label) -----------------------------------------
    "reason.rhythm": ("en retard sur son rythme", "late on its rhythm"),
    "reason.trend": ("CA en forte baisse", "revenue falling sharply"),
    "reason.rhythm+trend": ("en retard et en baisse", "late and falling"),
    "match.address": ("adresse", "address"),
    "match.siret": ("SIRET", "SIRET"),
    "match.address+siret": ("adresse + SIRET", "address + SIRET"),
    "bridge_class.new": ("nouveau", "new"),
    "bridge_class.retained": ("fidélisé", "retained"),
    "bridge_class.reactivated": ("réactivé", "reactivated"),
    "bridge_class.lost": ("perdu", "lost"),
    "bridge_class.other": ("autre", "other"),
    "revenue_current": ("CA N", "Revenue N"),
    "revenue_previous": ("CA N−1", "Revenue N−1"),
    "revenue_12m": ("CA 12 derniers mois", "Revenue last 12 months"),
    "customers": ("Clients", "Customers"),
    "customers_share": ("Part des clients", "Share of customers"),
    "revenue_share": ("Part du CA", "Share of revenue"),
    "revenue_share_n": ("Part du CA N", "Share of revenue N"),
    "revenue_share_history": ("Part du CA (tout l'historique)", "Share of revenue (whole history)"),
    "share": ("Part", "Share"),
    "cumulative_share": ("Part cumulée", "Cumulative share"),
    "rank": ("Rang", "Rank"),
    "gap_to_average": ("Écart à la moyenne", "Gap to average"),
    "action": ("Action recommandée", "Recommended action"),
    "description": ("Description", "Description"),
    "mean_recency": ("Récence moyenne (j)", "Mean recency (d)"),
    "mean_frequency": ("Achats (moyenne, historique)", "Purchases (mean, history)"),
    "mean_monetary": ("Montant moyen", "Mean monetary"),
    "basket": ("Panier moyen", "Average basket"),
    "rows": ("Lignes", "Rows"),
    "amount": ("Montant", "Amount"),
    "file": ("Fichier", "File"),
    "rows_read": ("Lignes lues", "Rows read"),
    "rows_used": ("Lignes retenues", "Rows used"),
    "rows_excluded": ("Lignes écartées", "Rows excluded"),
    "rows_kept_warning": ("Lignes retenues, à signaler", "Rows used, to note"),
    "amount_read": ("Montant lu", "Amount read"),
    "amount_used": ("Montant retenu", "Amount used"),
    "group": ("Groupe", "Group"),
    "group_size": ("Clients du groupe", "Customers in group"),
    "contacts_received": ("Contacts reçus", "Contacts received"),
    "calls": ("Appels passés", "Calls made"),
    "calls_completed": ("Appels aboutis", "Calls completed"),
    "completion_rate": ("Taux d'aboutissement", "Completion rate"),
    "sales": ("Ventes", "Sales"),
    "conversion_rate": ("Taux de transformation", "Conversion rate"),
    "revenue_per_call": ("CA par appel abouti", "Revenue per completed call"),
    "cohort": ("Cohorte", "Cohort"),
    "quarters_after": ("Trimestres après le premier achat", "Quarters after first purchase"),
    "from_segment": ("Segment au début", "Segment at start"),
    "to_segment": ("Segment à la fin", "Segment at end"),
    "others": ("Autres", "Others"),
    "total": ("Total", "Total"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    # --- Excel sheet names (≤ 31 characters) -----------------------------------------------
    "sheet.customers": ("Clients", "Customers"),
    "sheet.at_risk": ("À appeler", "To call"),
    "sheet.lost": ("Clients perdus", "Lost customers"),
    "sheet.anomalies": ("Anomalies", "Anomalies"),
    "sheet.ledger": ("Qualité des données", "Data quality"),
    "sheet.salesperson_prefix": ("Com. ", "Rep "),
    "sheet.no_salesperson": ("Sans commercial", "No salesperson"),
    # --- charts ----------------------------------------------------------------------------
    "chart.revenue_month": ("CA mensuel", "Monthly revenue"),
    "chart.customers_count": ("Nombre de clients", "Number of customers"),
    "chart.share_customers": ("Part cumulée des clients", "Cumulative share of customers"),
    "chart.share_revenue": ("Part cumulée du CA", "Cumulative share of revenue"),
    "chart.recency_score": ("Score de récence (R)", "Recency score (R)"),
    "chart.frequency_score": ("Score de fréquence (F)", "Frequency score (F)"),
    "chart.axis_not_zero": (
        "Axe coupé, ne partant pas de zéro",
        "Cut axis, not starting at zero",
    ),
    "chart.retention": (
        "Part des clients de la cohorte qui achètent",
        "Share of the cohort buying",
    ),
    "no_data": ("Aucune donnée.", "No data."),
}

#: Score3D segment names (English keys, as in the segment rules) -> (French, English)
SEGMENT_LABELS: dict[str, tuple[str, str]] = {
    "Champions": ("Champions", "Champions"),
    "Loyal": ("Réguliers", "Regulars"),
    "Potential loyalists": ("Réguliers en devenir", "Future regulars"),
    "New": ("Premier achat récent", "Recent first purchase"),
    "Promising": ("Prometteurs", "Promising"),
    "Need attention": ("À surveiller", "Need attention"),
    "About to sleep": ("En train de s'endormir", "About to sleep"),
    "At risk": ("À risque", "At risk"),
    "Can't lose them": ("À ne pas perdre", "Can't lose them"),
    "Hibernating": ("En hibernation", "Hibernating"),
    "Lost": ("Inactifs", "Inactive"),
    # migration: customers without a score at one of the two dates (no sale yet, or net <= 0)
    "(not scored)": ("(non classés)", "(not scored)"),
}

#: ledger reasons and warnings of icpc.cleaning -> (French, English)
LEDGER_REASONS: dict[str, tuple[str, str]] = {
    "malformed line": ("ligne mal formée", "malformed line"),
    "totals line": ("ligne de total", "totals line"),
    "missing customer id": ("code client manquant", "missing customer id"),
    "unparseable date": ("date illisible", "unparseable date"),
    "unparseable amount": ("montant illisible", "unparseable amount"),
    "duplicate": ("ligne en double", "duplicate line"),
    "excluded by config": ("exclu par la configuration", "excluded by config"),
    "after as_of": ("postérieure à la date d'analyse", "after the analysis date"),
    "unknown activity type": ("type d'activité inconnu", "unknown activity type"),
    "exact duplicate lines": ("lignes en double exact", "exact duplicate lines"),
    "zero amounts": ("montants nuls", "zero amounts"),
    "credit notes": ("avoirs (montants négatifs)", "credit notes (negative amounts)"),
    "dates far from the rest": ("dates très éloignées des autres", "dates far from the rest"),
    "invoices whose lines disagree on customer": (
        "factures dont les lignes ont des clients différents",
        "invoices whose lines disagree on customer",
    ),
    "unparseable margin": ("marge illisible", "unparseable margin"),
    "lines without margin": ("lignes sans marge", "lines without margin"),
    "unparseable quantity": ("quantité illisible", "unparseable quantity"),
    "unparseable created_at": ("date de création illisible", "unparseable creation date"),
    "e-mails that are not an address": (
        "courriels qui ne sont pas une adresse",
        "e-mails that are not an address",
    ),
    "customers without transactions": ("clients sans facture", "customers without transactions"),
    "customer codes written otherwise than in the invoices (case, spaces, zeros), matched": (
        "codes clients écrits autrement que sur les factures (casse, espaces, zéros), rapprochés",
        "customer codes written otherwise than in the invoices (case, spaces, zeros), matched",
    ),
    "transaction customers missing from master": (
        "clients facturés absents du fichier clients",
        "invoiced customers missing from the customer file",
    ),
    "empty line (nothing in the columns read)": (
        "ligne vide (rien dans les colonnes lues)",
        "empty line (nothing in the columns read)",
    ),
    "repeated header line": (
        "ligne d’en-tête répétée (saut de page)",
        "repeated header line (page break)",
    ),
    "not a sales line": (
        "ligne comptable hors ventes (client, TVA, banque, achats…)",
        "accounting line that is not a sale (customer, VAT, bank, purchases…)",
    ),
    "sales entry without customer": (
        "écriture de vente sans compte client",
        "sales entry without a customer account",
    ),
    "unbalanced entry (debits differ from credits)": (
        "écriture déséquilibrée (débits différents des crédits)",
        "unbalanced entry (debits differ from credits)",
    ),
    "customer id in scientific notation": (
        "code client abîmé par Excel (notation scientifique)",
        "customer code damaged by Excel (scientific notation)",
    ),
    "bytes not UTF-8, read as Windows-1252": (
        "caractères réparés (octets Windows-1252 dans un fichier UTF-8)",
        "characters repaired (Windows-1252 bytes in a UTF-8 file)",
    ),
    "UTF-8 characters in a Windows-1252 file, read as UTF-8": (
        "caractères UTF-8 dans un fichier Windows-1252, lus en UTF-8",
        "UTF-8 characters in a Windows-1252 file, read as UTF-8",
    ),
    "lines with an unclosed quote, read without quoting": (
        "lignes aux guillemets non refermés, lues telles quelles",
        "lines with an unclosed quote, read as written",
    ),
    "customer ids stored as numbers, zero-padded": (
        "codes clients enregistrés comme nombres, zéros rétablis",
        "customer codes stored as numbers, leading zeros restored",
    ),
    "customer ids written as decimals (42.0), read as whole numbers": (
        "codes clients écrits comme décimaux (42,0), lus comme entiers",
        "customer codes written as decimals (42.0), read as whole numbers",
    ),
    "merged cells, their value repeated on each row": (
        "cellules fusionnées, valeur reprise sur chaque ligne",
        "merged cells, their value repeated on each row",
    ),
    "amounts written in scientific notation (1,23E+05), digits maybe lost": (
        "montants écrits en notation scientifique (1,23E+05), chiffres peut-être perdus",
        "amounts written in scientific notation (1.23E+05), digits maybe lost",
    ),
    "invisible characters (zero-width space, BOM) removed from values": (
        "caractères invisibles (espace sans chasse, BOM) retirés des valeurs",
        "invisible characters (zero-width space, BOM) removed from values",
    ),
    'values written as Excel text formulas (="…"), read as their text': (
        'valeurs écrites en formules Excel (="…"), lues comme leur texte',
        'values written as Excel text formulas (="…"), read as their text',
    ),
    "null markers and spreadsheet errors (NULL, #N/A) read as empty": (
        "marqueurs de vide et erreurs de tableur (NULL, #N/A) lus comme vides",
        "null markers and spreadsheet errors (NULL, #N/A) read as empty",
    ),
    "not an invoice (order, quote, delivery note)": (
        "pièce qui n’est pas une facture (commande, devis, bon de livraison)",
        "not an invoice (order, quote, delivery note)",
    ),
    "credit notes written as positive amounts, counted negative": (
        "avoirs écrits en montants positifs, comptés en négatif",
        "credit notes written as positive amounts, counted negative",
    ),
    "credit notes with a positive amount, kept as written": (
        "avoirs au montant positif, gardés tels quels",
        "credit notes with a positive amount, kept as written",
    ),
    "sales entries with several customers": (
        "écritures de vente à plusieurs clients",
        "sales entries with several customers",
    ),
}


LABELS.update(SENTENCES)  # one catalogue: the words here, the sentences in icpc.sentences
LABELS.update(FINDINGS)  # and the findings' in icpc.sentences_findings
LABELS.update(WORKBOOK)  # the workbook's in icpc.sentences_workbook
LABELS.update(SCORECARD)  # the scorecards' in icpc.sentences_scorecard


def _typeset_pairs(pairs: dict[str, tuple[str, str]]) -> None:
    """Give the words their typography once, here (’, narrow no-break spaces, minus)."""
    for key, (fr, en) in pairs.items():
        pairs[key] = (typeset(fr, "fr"), typeset(en, "en"))


for _pairs in (LABELS, SEGMENT_LABELS, LEDGER_REASONS):
    _typeset_pairs(_pairs)
DEFINITIONS = tuple((k, typeset(fr, "fr"), typeset(en, "en")) for k, fr, en in DEFINITIONS)


#: Babel locale of each report language (British English: day-first dates, like the client)
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def locale_for(language: str) -> str:
    """Return the Babel locale of a report language (``fr`` → ``fr_FR``, ``en`` → ``en_GB``).

    Parameters
    ----------
    language : str
        ``fr`` or ``en`` (a full locale such as ``fr_CA`` is passed through).

    Returns
    -------
    str
        The Babel locale identifier.
    """
    if language in LOCALES:
        return LOCALES[language]
    if "_" in language:
        return language
    raise ValueError(f"unknown report language {language!r}; use fr or en")


def _index(language: str) -> int:
    if language not in ("fr", "en"):
        raise ValueError(f"unknown report language {language!r}; use fr or en")
    return 0 if language == "fr" else 1


def label(key: str, language: str = "fr") -> str:
    """Return the label (libellé) of ``key`` in ``language``.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS` (or a segment name of :data:`SEGMENT_LABELS`).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    str
        The label.

    Raises
    ------
    KeyError
        The key has no label (add it to :data:`LABELS`).
    """
    i = _index(language)
    if key in LABELS:
        return LABELS[key][i]
    if key in SEGMENT_LABELS:
        return SEGMENT_LABELS[key][i]
    raise KeyError(f"no report label for {key!r}; add it to icpc.labels.LABELS")


def plural(key: str, count: float, language: str = "fr") -> str:
    """The label ``key.one`` or ``key.other`` that agrees with ``count`` in ``language``.

    French treats 0 and 1 as singular (« 0 nouveau client »), English 1 only.

    Example
    -------
    >>> plural("finding.new", 1, "fr").format(n=1), plural("finding.new", 0, "en").format(n=0)
    ('1 nouveau client en N', '0 new customers in N')
    """
    one = abs(count) < 2 if language == "fr" else count == 1
    return label(f"{key}.{'one' if one else 'other'}", language)


def value_label(column: str, value: object, language: str = "fr") -> object:
    """Translate a coded value of a column (``status``, ``reason``, ``match``…); others unchanged.

    Parameters
    ----------
    column : str
        The column (``status``: ``active`` → « Actif »; ``reason``: ``rhythm`` → « rythme »).
    value : object
        The value; missing values and values without a label are returned as they are.
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    object
        The label, or ``value``.
    """
    key = f"{column}.{value}"
    return LABELS[key][_index(language)] if key in LABELS else value


def reason_label(reason: str, language: str = "fr") -> str:
    """Translate a ledger reason or warning of :mod:`icpc.cleaning` (unknown ones are kept)."""
    pair = LEDGER_REASONS.get(reason)
    return pair[_index(language)] if pair else str(reason)


def segment_label(
    name: str, language: str = "fr", *, labels: Mapping[str, str] | None = None
) -> str:
    """Return the display name of a Score3D segment; unknown (custom) segments keep their name.

    Parameters
    ----------
    name : str
        The segment's English name (as in the segment rules).
    language : str
        ``fr`` or ``en``.
    labels : mapping, optional
        Labels given by the segment rules themselves (they win over the defaults).

    Returns
    -------
    str
        The label.
    """
    if labels and name in labels:
        return typeset(str(labels[name]), language)
    pair = SEGMENT_LABELS.get(name)
    return pair[_index(language)] if pair else str(name)


def section_title(section: str, language: str = "fr") -> str:
    """Return the heading of a report section (``executive_summary``, ``revenue``, …)."""
    return label(f"section.{section}", language)


def column_labels(columns: Iterable[str], language: str = "fr") -> dict[str, str]:
    """Map column names to their labels (columns without a label keep their name).

    Parameters
    ----------
    columns : iterable of str
        Column names (canonical English identifiers).
    language : str
        ``fr`` or ``en``.

    Returns
    -------
    dict
        ``{column: label}`` for :meth:`pandas.DataFrame.rename`.
    """
    i = _index(language)
    return {c: (LABELS[c][i] if c in LABELS else str(c)) for c in columns}
