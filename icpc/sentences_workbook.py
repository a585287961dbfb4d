"""The words of the sales team's workbook (``actions.xlsx``) in French and English.

Part of the one catalogue (:data:`icpc.labels.LABELS`), typeset there: sheet names, the
« Lisez-moi » sheet, the call list's reasons and the drop-down of call outcomes.
"""

from __future__ import annotations

__all__ = ["OUTCOMES", "WORKBOOK"]

#: the drop-down of the « Résultat » column: keys of ``outcome.<key>``, in the list's order
OUTCOMES = ("order", "call_back", "quote", "unreachable", "no_need", "competitor", "other")

#: key -> (French, English)
WORKBOOK: dict[str, tuple[str, str]] = {
    # --- columns ----------------------------------------------------------------------------
    "p_alive": ("Probabilité d'être encore client", "Probability still a customer"),
    "warning_score": ("Risque de ne plus acheter", "Risk of buying no more"),
    # --- sheet names (≤ 31 characters) ---------------------------------------------------
    "sheet.win_back": ("Clients à reconquérir", "Customers to win back"),
    "sheet.creations": ("Créations à vérifier", "Creations to check"),
    "sheet.by_region": ("Par secteur", "By region"),
    "sheet.monthly": ("Chiffres mensuels", "Monthly figures"),
    "sheet.readme": ("Lisez-moi", "Read me"),
    # --- columns ---------------------------------------------------------------------------
    "contact": ("Interlocuteur", "Contact"),
    "phone": ("Téléphone", "Phone"),
    "email": ("E-mail", "E-mail"),
    "last_order": ("Montant du dernier achat", "Last purchase amount"),
    "usual_products": ("Produits habituels", "Usual products"),
    "usual_families": ("Familles habituelles", "Usual product families"),
    "list": ("Liste", "List"),
    "priority": ("Prioritaire (plan d'action)", "Priority (action plan)"),
    "to_call": ("Clients à appeler", "Customers to call"),
    "revenue_history": ("CA (tout l'historique)", "Revenue (whole history)"),
    "unassigned": ("(non renseigné)", "(not given)"),
    "call_date": ("Date d'appel", "Date called"),
    "outcome": ("Résultat", "Outcome"),
    "next_step": ("Prochaine étape", "Next step"),
    "month_complete": ("Mois complet", "Full month"),
    "sheet": ("Feuille", "Sheet"),
    "purpose": ("À quoi elle sert", "What it is for"),
    # --- the lists of a salesperson's sheet --------------------------------------------------
    "list.call": ("À appeler", "To call"),
    "list.win_back": ("À reconquérir", "To win back"),
    "list.falling": ("CA en baisse", "Revenue down"),
    # --- the reason in words ---------------------------------------------------------------
    "why.days.one": ("{n} jour", "{n} day"),
    "why.days.other": ("{n} jours", "{n} days"),
    "why.every.one": ("chaque jour", "every day"),
    "why.every.other": ("tous les {n} jours", "every {n} days"),
    "why.rhythm": (
        "commande habituellement {every}, rien depuis {days}",
        "usually orders {every}, nothing for {days}",
    ),
    "why.trend": (
        "CA des {months} derniers mois en baisse de {pct}\u202f% par rapport aux mêmes mois un an "
        "plus tôt",
        "revenue of the last {months} months down {pct}% from the same months a year earlier",
    ),
    "why.lost": ("aucun achat depuis {days}", "no purchase for {days}"),
    "why.falling": (
        "CA N en baisse de {pct}\u202f% par rapport à N−1",
        "revenue N down {pct}% from N−1",
    ),
    "why.nothing_in_n": ("aucun achat en N", "no purchase in N"),
    "why.falling_slightly": (
        "CA N en légère baisse (moins de 1\u202f% sous N−1)",
        "revenue N slightly down (less than 1% below N−1)",
    ),
    "why.rhythm_and_trend": ("{rhythm} ; {trend}", "{rhythm}, and {trend}"),
    # what a customer of a duplicate group shares, with how many others (all of his group)
    "why.same_address.one": (
        "même adresse qu'un autre client",
        "same address as one other customer",
    ),
    "why.same_address.other": (
        "même adresse que {n} autres clients",
        "same address as {n} other customers",
    ),
    "why.same_siret.one": ("même SIRET qu'un autre client", "same SIRET as one other customer"),
    "why.same_siret.other": (
        "même SIRET que {n} autres clients",
        "same SIRET as {n} other customers",
    ),
    "why.and": (" et ", " and "),
    "why.group": (
        "{shared} (groupe de {n} clients liés)",
        "{shared} (a group of {n} linked customers)",
    ),
    "why.created_by": (
        "créé par {salesperson} le {date}, dans une série de {n} créations {series}",
        "created by {salesperson} on {date}, one of {n} creations {series}",
    ),
    # the plan's creations to check: all share an address, none does, or some
    "why.series.address": ("à des adresses partagées", "at shared addresses"),
    "why.series.siret": ("à des SIRET partagés", "with shared SIRETs"),
    "why.series.mixed": (
        "à des adresses ou des SIRET partagés",
        "at shared addresses or with shared SIRETs",
    ),
    # --- suggested actions besides the segments' -------------------------------------------
    "do.check_first": (
        "Vérifier la fiche avant d'appeler : client créé en série, lié à d'autres par son "
        "adresse ou son SIRET.",
        "Check the record before calling: created in a series, linked to others by their "
        "address or SIRET.",
    ),
    "do.win_back": (
        "Appeler pour comprendre son départ et proposer une offre de retour.",
        "Call to understand why they left and make a win-back offer.",
    ),
    "do.win_back_priority": (
        "Client prioritaire du plan d'action : visite avec le directeur commercial pour "
        "comprendre son départ, puis offre de retour.",
        "A priority of the action plan: a visit with the sales director to understand why "
        "they left, then a win-back offer.",
    ),
    "do.check_group_first": (
        "Vérifier d'abord s'il s'agit d'un seul et même client que ses fiches liées (onglet "
        "« {sheet} »), puis appeler.",
        "First check whether they are one and the same customer as their linked records "
        "(“{sheet}” sheet), then call.",
    ),
    "do.call": (
        "Appeler pour comprendre le changement et proposer une offre.",
        "Call to understand the change and make an offer.",
    ),
    "do.check_group": (
        "Vérifier s'il s'agit d'un seul et même client (fiches à fusionner ?)",
        "Check whether they are one and the same customer (records to merge?)",
    ),
    # --- the drop-down of outcomes (no comma: Excel's list is comma-separated) --------------
    "outcome.order": ("Commande passée", "Order placed"),
    "outcome.call_back": ("Rappel prévu", "Call back planned"),
    "outcome.quote": ("Devis envoyé", "Quote sent"),
    "outcome.unreachable": ("Injoignable", "Unreachable"),
    "outcome.no_need": ("Pas de besoin", "No need"),
    "outcome.competitor": ("Parti chez un concurrent", "Gone to a competitor"),
    "outcome.other": ("Autre", "Other"),
    "outcome.error": (
        "Choisir un résultat dans la liste.",
        "Choose an outcome from the list.",
    ),
    "call_date.error": (
        "Saisir une date (jj/mm/aaaa).",
        "Enter a date (dd/mm/yyyy).",
    ),
    # --- a table with nothing to list ----------------------------------------------------
    "empty.call": (
        "Aucun client à appeler : aucun ne décroche de son rythme habituel à la date d'analyse.",
        "No customer to call: none is slipping away from their usual rhythm at the analysis date.",
    ),
    "empty.salesperson": (
        "Rien à traiter : aucun de ses clients n'est ni à appeler, ni à reconquérir, ni en baisse.",
        "Nothing to do: no customer of theirs to call, to win back or with revenue down.",
    ),
    "empty.win_back": (
        "Aucun client perdu (actif en N−1 et sans achat en N).",
        "No lost customer (active in N−1 and no purchase in N).",
    ),
    "empty.creations": (
        "Aucun client ne partage une adresse ou un SIRET avec un autre.",
        "No customer shares an address or a SIRET with another.",
    ),
    # --- print set-up ------------------------------------------------------------------------
    "footer.page": ("Page &P sur &N", "Page &P of &N"),
    # --- the « Lisez-moi » sheet -------------------------------------------------------------
    "readme.title": (
        "{client} — plan d'action commercial au {date}",
        "{client} — sales action plan at {date}",
    ),
    "readme.period": (
        "Période N du {start} au {end}, comparée à la période N−1 du {previous_start} au "
        "{previous_end}.",
        "Period N from {start} to {end}, compared with period N−1 from {previous_start} to "
        "{previous_end}.",
    ),
    "readme.period_alone": (
        "Période N du {start} au {end}.",
        "Period N from {start} to {end}.",
    ),
    "readme.by": ("Établi par {who}.", "Prepared by {who}."),
    "readme.purpose.call": (
        "Les clients à appeler en priorité, du plus gros enjeu au plus petit : pourquoi les "
        "appeler, leurs coordonnées, leur dernier achat et l'action conseillée. Les "
        "créations à vérifier et les clients liés à d'autres fiches y sont signalés.",
        "The customers to call first, the largest amount at stake first: why to call them, "
        "their contact details, their last purchase and the suggested action. Creations to "
        "check and customers linked to other records are marked.",
    ),
    "readme.purpose.salesperson": (
        "{salesperson} : ses clients à appeler, à reconquérir (tous ses clients perdus, ceux du "
        "plan d'action d'abord, marqués « Prioritaire », puis du plus gros CA N−1 au plus "
        "petit), puis ceux dont le CA N est en baisse, de la plus forte baisse à la plus "
        "faible ; la colonne « Liste » les sépare.",
        "{salesperson}: their customers to call, to win back (all their lost customers, the "
        "action plan's first, marked “Priority”, then the largest revenue N−1 first), then "
        "those whose revenue N is down, the largest fall first; the “List” column tells them "
        "apart.",
    ),
    "readme.purpose.win_back": (
        "Les clients perdus (actifs en N−1, sans achat en N), du plus gros CA N−1 au plus "
        "petit ; « Prioritaire » marque ceux que le plan d'action demande de reconquérir.",
        "The lost customers (active in N−1, no purchase in N), the largest revenue N−1 first; "
        "“Priority” marks those the action plan asks to win back.",
    ),
    "readme.purpose.creations": (
        "Les clients qui partagent une adresse ou un SIRET, par groupe ; « Lien » dit ce que "
        "chacun partage avec d'autres du groupe (son adresse, son SIRET ou les deux), la "
        "colonne « Création à vérifier » signale ceux qu'un même commercial a créés en série.",
        "The customers sharing an address or a SIRET, by group; “Link” says what each shares "
        "with others of the group (their address, their SIRET or both), the “Creation to "
        "check” column marks those one salesperson created in a series.",
    ),
    "readme.purpose.by_region": (
        "Les chiffres de chaque secteur en N et N−1, avec le nombre de clients à appeler et leur CA en jeu.",
        "Each region's figures in N and N−1, with the number of customers to call and their value at stake.",
    ),
    "readme.purpose.monthly": (
        "Chaque mois : le CA, le nombre de ventes, les clients actifs, le panier moyen et le CA des 12 derniers mois.",
        "Each month: revenue, number of sales, active customers, average basket and revenue of the last 12 months.",
    ),
    "readme.purpose.readme": ("Cette page.", "This page."),
    "readme.purpose.ledger": (
        "Le registre des données : lignes lues, retenues et écartées, avec leur motif.",
        "The data ledger: rows read, used and excluded, with the reason.",
    ),
    "readme.how": ("Comment s'en servir", "How to use it"),
    "readme.how.order": (
        "Appelez dans l'ordre du rang : le rang 1 est le client qui pèse le plus (parmi les "
        "clients en baisse, celui dont le CA a le plus baissé).",
        "Call in the order of the rank: rank 1 is the customer who weighs most (among the "
        "customers buying less, the one whose revenue fell most).",
    ),
    "readme.how.fill": (
        "Dans les feuilles d'appel (« À appeler », celles des commerciaux, « Clients à "
        "reconquérir »), les trois dernières colonnes, sur fond jaune clair, sont à remplir : "
        "« Date d'appel » (une date, jj/mm/aaaa), « Résultat » (à choisir dans la liste), "
        "« Prochaine étape » (texte libre).",
        "In the call sheets (“To call”, the salespeople's, “Customers to win back”), the last "
        "three columns, in light yellow, are to fill in: “Date called” (a date, dd/mm/yyyy), "
        "“Outcome” (chosen from the list), “Next step” (free text).",
    ),
    "readme.how.filter": (
        "Les flèches de l'en-tête trient et filtrent chaque tableau ; chaque feuille s'imprime "
        "sur la largeur d'une page A4 paysage (masquer les colonnes inutiles avant d'imprimer "
        "agrandit le texte).",
        "The header's arrows sort and filter each table; each sheet prints on the width of "
        "one landscape A4 page (hiding the columns you do not need before printing makes the "
        "text larger).",
    ),
    "readme.how.amounts": (
        "Montants hors taxes, en {symbol}. « CA en jeu » : le CA du client sur les 12 derniers "
        "mois, ce que son départ coûterait ; pour un client à reconquérir, qui n'a plus rien "
        "acheté, son CA N−1, ce que sa reconquête rapporterait ; « CA N » et « CA N−1 » : son "
        "CA des périodes N et N−1 ; « Panier moyen » : son CA divisé par son nombre de ventes, "
        "sur tout l'historique.",
        "Amounts excluding VAT, in {symbol}. “Value at stake”: the customer's revenue over the "
        "last 12 months, what losing them would cost; for a customer to win back, who bought "
        "nothing since, their revenue N−1, what winning them back would bring; “Revenue N” and "
        "“Revenue N−1”: their revenue in periods N and N−1; “Average basket”: their revenue "
        "divided by their number of sales, over the whole history.",
    ),
    "readme.how.warning_score": (
        "« Risque de ne plus acheter » : la probabilité que le client n'achète rien dans les "
        "{months} prochains mois, d'après un classement qui combine son retard sur son rythme, "
        "la baisse de son chiffre d'affaires et sa probabilité d'être encore client, appris "
        "sur ce qu'ont fait vos clients les {months} derniers mois. Le rapport dit, dans sa "
        "méthode, combien ce classement s'est montré juste sur votre historique.",
        "“Risk of buying no more”: the probability that the customer buys nothing in the next "
        "{months} months, from a ranking that combines how late they are on their rhythm, the "
        "fall of their revenue and their probability still a customer, learnt from what your "
        "customers did in the last {months} months. The report's method says how right this "
        "ranking proved on your history.",
    ),
    "readme.how.p_alive": (
        "« Probabilité d'être encore client » : la chance que le client achète toujours chez "
        "vous, et ne soit pas parti pour de bon, estimée d'après ses achats passés (combien, à "
        "quel rythme, et depuis combien de temps il n'a rien acheté) par un modèle statistique "
        "(BG/NBD) calculé sur vos clients. Plus elle est basse, plus son silence est long pour "
        "un client qui achetait comme lui : il est peut-être déjà parti. Un client d'un seul "
        "achat est à 100\u202f% : rien ne permet encore d'en juger. Vide pour un client à "
        "reconquérir : il n'a rien acheté en N, il est parti.",
        "“Probability still a customer”: the chance that the customer still buys from you "
        "rather than having left for good, estimated from their past purchases (how many, how "
        "regularly, how long since the last) by a statistical model (BG/NBD) fitted on your "
        "customers. The lower it is, the longer their silence for a customer who bought as "
        "they did: they may already be gone. A customer with a single purchase shows 100%: "
        "nothing to judge from yet. Empty for a customer to win back: they bought nothing in "
        "N, they are gone.",
    ),
}
