"""The findings' sentences (icpc.report.findings) in French and English, with ``{placeholders}``.

Part of the one catalogue (:data:`icpc.labels.LABELS`), typeset there. A sentence whose
words follow a count has a ``.one`` and an ``.other`` form, chosen by
:func:`icpc.labels.plural` (French: 0 and 1 are singular; English: 1 only). Pieces that
start with a space or a comma are appended to a sentence when their figure exists.
"""

from __future__ import annotations

__all__ = ["FINDINGS"]

#: key -> (French, English)
FINDINGS: dict[str, tuple[str, str]] = {
    # --- revenue ----------------------------------------------------------------------
    "finding.revenue.flat": (
        "Le chiffre d'affaires est stable à {amount} ({change} par rapport à N−1).",
        "Revenue is flat at {amount} ({change} on N−1).",
    ),
    "finding.revenue.moved": (
        "Le chiffre d'affaires {verb} de {pct}, de {previous} à {current} ({delta}).",
        "Revenue {verb} by {pct}, from {previous} to {current} ({delta}).",
    ),
    "finding.verb.up": ("progresse", "grew"),
    "finding.verb.down": ("recule", "fell"),
    "finding.driver": (
        " Premier facteur : {change} {factor} ({amount})",
        " Main driver: {change} {factor} ({amount})",
    ),
    "finding.driver.offset": (
        ", que {change} {factor} ({amount}) {agree}",
        ", {agree} {change} {factor} ({amount})",
    ),
    "finding.change.up": ("la hausse", "a higher"),
    "finding.change.down": ("la baisse", "a lower"),
    "finding.offset.more": ("compense", "more than offset by"),
    "finding.offset.part": ("ne compense qu'en partie", "partly offset by"),
    "finding.factor.customers": ("du nombre de clients", "number of customers"),
    "finding.factor.frequency": ("de la fréquence d'achat", "purchase frequency"),
    "finding.factor.basket": ("du panier moyen", "average basket"),
    "finding.customers_up_basket_down": (
        "Le nombre de clients progresse de {customers} mais le panier moyen recule de "
        "{basket} : {end}.",
        "The number of customers grew by {customers} but the average basket fell by "
        "{basket}: {end}.",
    ),
    "finding.portfolio.partly": (
        "la croissance du portefeuille ne se traduit qu'en partie en chiffre d'affaires",
        "the larger portfolio only partly shows in revenue",
    ),
    "finding.portfolio.not": (
        "la croissance du portefeuille ne se traduit pas en chiffre d'affaires",
        "the larger portfolio does not translate into revenue",
    ),
    "finding.customers_down_basket_up": (
        "Le nombre de clients recule de {customers} mais le panier moyen progresse de "
        "{basket} : chaque client achète davantage, mais le portefeuille se réduit.",
        "The number of customers fell by {customers} but the average basket grew by "
        "{basket}: each customer buys more, but the portfolio is shrinking.",
    ),
    # --- customers --------------------------------------------------------------------
    "finding.new.one": ("{n} nouveau client en N", "{n} new customer in N"),
    "finding.new.other": ("{n} nouveaux clients en N", "{n} new customers in N"),
    "finding.reactivated.one": (
        " et {n} ancien client réactivé",
        " and {n} former customer reactivated",
    ),
    "finding.reactivated.other": (
        " et {n} anciens clients réactivés",
        " and {n} former customers reactivated",
    ),
    "finding.retention": (
        ". {rate} des clients de N−1 ont de nouveau acheté en N",
        ". {rate} of the customers of N−1 bought again in N",
    ),
    "finding.lost.one": (
        "{n} client actif en N−1 n'a rien acheté en N",
        "{n} customer active in N−1 bought nothing in N",
    ),
    "finding.lost.other": (
        "{n} clients actifs en N−1 n'ont rien acheté en N",
        "{n} customers active in N−1 bought nothing in N",
    ),
    "finding.churn": (" (taux d'attrition de {rate})", " (churn rate {rate})"),
    "finding.lost_revenue.one": (
        " : il représentait {amount} de chiffre d'affaires en N−1",
        "; they accounted for {amount} of revenue in N−1",
    ),
    "finding.lost_revenue.other": (
        " : ils représentaient {amount} de chiffre d'affaires en N−1",
        "; they accounted for {amount} of revenue in N−1",
    ),
    "finding.slipping.one": (
        "{n} client décroche de son rythme d'achat habituel",
        "{n} customer is slipping away from their usual buying rhythm",
    ),
    "finding.slipping.other": (
        "{n} clients décrochent de leur rythme d'achat habituel",
        "{n} customers are slipping away from their usual buying rhythm",
    ),
    "finding.slipping_value.one": (
        " : il pèse {amount} de chiffre d'affaires sur les 12 derniers mois, à sécuriser en "
        "priorité",
        "; {amount} of revenue over the last 12 months is at stake",
    ),
    "finding.slipping_value.other": (
        " : ils pèsent {amount} de chiffre d'affaires sur les 12 derniers mois, à sécuriser en "
        "priorité",
        "; {amount} of revenue over the last 12 months is at stake",
    ),
    "finding.concentration": (
        "Les 20\u00a0% de clients les plus importants réalisent {share} du chiffre d'affaires N",
        "The top 20% of customers make {share} of revenue N",
    ),
    "finding.concentration.high": (", une concentration forte", ", a high concentration"),
    "finding.concentration.first": (
        " : le premier client pèse à lui seul {share}, une dépendance à surveiller",
        "; the first customer alone weighs {share}, a dependency to watch",
    ),
    "finding.segment.one": (
        "Parmi les segments à reconquérir, « {segment} » pèse le plus : {n} client",
        "Of the segments to win back, “{segment}” weighs most: {n} customer",
    ),
    "finding.segment.other": (
        "Parmi les segments à reconquérir, « {segment} » pèse le plus : {n} clients",
        "Of the segments to win back, “{segment}” weighs most: {n} customers",
    ),
    "finding.segment.share": (
        " et {share} du chiffre d'affaires de tout l'historique (pas seulement de N)",
        " and {share} of the revenue of the whole history (not only N)",
    ),
    "finding.segment.action": (". Action recommandée : {action}", ". Recommended action: {action}"),
    # --- sales team -------------------------------------------------------------------
    "finding.anomaly": (
        "{who} a créé {n} clients partageant une adresse avec d'autres clients",
        "{who} created {n} customers sharing an address with other customers",
    ),
    "finding.anomaly.days": (" en {days}{span}", " within {days}{span}"),
    "finding.anomaly.span": (" (du {start} au {end})", " ({start} to {end})"),
    "finding.anomaly.basket": (
        " : leur panier moyen est de {basket}, contre {others} pour les autres clients "
        "(sur tout l'historique)",
        "; their average basket is {basket}, against {others} for the others (over the whole "
        "history)",
    ),
    "finding.anomaly.revenue": (
        ", pour {amount} de CA N en tout",
        ", {amount} of revenue N in all",
    ),
    "finding.anomaly.check": (
        " — à vérifier (une prime de prospection pourrait l'expliquer).",
        " — to be checked (a prospecting bonus might explain it).",
    ),
    "finding.spread": (
        "Les évolutions de chiffre d'affaires vont de {worst} ({worst_name}) à {best} "
        "({best_name}) selon le commercial.",
        "Revenue changes range from {worst} ({worst_name}) to {best} ({best_name}) across "
        "salespeople.",
    ),
    "finding.conversion_above_100": (
        "Le taux de transformation rapporte toutes les ventes aux appels aboutis : il dépasse "
        "100\u00a0% quand une partie des ventes arrive sans appel préalable (commandes "
        "spontanées, contacts entrants).",
        "The conversion rate divides all sales by the completed calls: it exceeds 100% when "
        "some sales come without a prior call (unsolicited orders, inbound contacts).",
    ),
    # --- guardrails (pare-feux: icpc.analysis.guardrails) and objectives --------------
    "guardrail.customers_up_basket_down": (
        "Plus de clients, panier moyen en baisse",
        "More customers, average basket down",
    ),
    "guardrail.shared_address_creations": (
        "Nouveaux clients d'un commercial à des adresses partagées",
        "A salesperson's new customers at shared addresses",
    ),
    "guardrail.retention_below_objective": (
        "Fidélisation sous son objectif (ou son seuil, sans objectif)",
        "Retention below its objective (or its threshold, without one)",
    ),
    "guardrail.top3_dependence": (
        "Dépendance aux trois premiers clients",
        "Dependence on the top three customers",
    ),
    "guardrail.breached.customers_up_basket_down": (
        "Pare-feu franchi : le nombre de clients actifs progresse ({customers}) mais le panier "
        "moyen recule de {basket} (seuil : {threshold}) ; des commandes plus petites freinent "
        "la croissance du portefeuille.",
        "Guardrail breached: active customers are up ({customers}) but the average basket fell "
        "by {basket} (threshold: {threshold}); smaller orders hold back the portfolio's growth.",
    ),
    "guardrail.breached.shared_address_creations": (
        "Pare-feu franchi : {share} des nouveaux clients {of_salesperson} ({count} sur {new}{among}) "
        "partagent une adresse ou un SIRET avec d'autres clients (seuil : {threshold}) ; "
        "à vérifier avant toute prime.",
        "Guardrail breached: {share} of {salesperson}'s new customers ({count} of {new}{among}) share "
        "an address or a SIRET with other customers (threshold: {threshold}); check them before "
        "any bonus.",
    ),
    "guardrail.breached.retention_below_objective": (
        "Pare-feu franchi : le taux de fidélisation est de {value}, sous {what} de {threshold}.",
        "Guardrail breached: the retention rate is {value}, below {what} of {threshold}.",
    ),
    "guardrail.among_burst.one": (
        ", dont {n} créé en série en {days} jours",
        ", {n} of them created in a burst of {days} days",
    ),
    "guardrail.among_burst.other": (
        ", dont les {n} créés en série en {days} jours",
        ", {n} of them created in a burst of {days} days",
    ),
    "guardrail.what.objective": ("l'objectif", "the objective"),
    "guardrail.what.threshold": ("le seuil", "the threshold"),
    "guardrail.breached.top3_dependence": (
        "Pare-feu franchi : les trois premiers clients font {value} du CA N (seuil : "
        "{threshold}) ; le départ d'un seul pèserait lourd.",
        "Guardrail breached: the top three customers make {value} of revenue N (threshold: "
        "{threshold}); losing one of them would weigh heavily.",
    ),
    "objective.card": (
        "Objectif : {target}\u00a0({attainment})",
        "Target: {target}\u00a0({attainment})",
    ),
    "objective.item": (
        "{indicator} {actual} pour un objectif de {target} ({verdict})",
        "{indicator} {actual} against a target of {target} ({verdict})",
    ),
    "objective.line": ("Objectifs : {items}.", "Objectives: {items}."),
    "objective.to_check.one": (
        ", dont {n} création à vérifier",
        ", {n} of them a creation to check",
    ),
    "objective.to_check.other": (
        ", dont {n} créations à vérifier",
        ", {n} of them creations to check",
    ),
    "objective.met": ("atteint", "met"),
    "objective.missed": ("non atteint", "missed"),
    # --- since the last diagnostic (icpc.report.sections.follow) -----------------------
    "section.follow_up": ("Depuis le dernier diagnostic", "Since the last diagnostic"),
    "sub.follow_history": (
        "Les indicateurs d'un diagnostic à l'autre",
        "The indicators from one diagnostic to the next",
    ),
    "sub.follow_flagged": (
        "Les clients signalés la dernière fois",
        "The customers flagged last time",
    ),
    "follow.lead.one": (
        "Au diagnostic du {date}, {n} client décrochait : {fate}.",
        "At the diagnostic of {date}, {n} customer was slipping away: {fate}.",
    ),
    "follow.lead.other": (
        "Au diagnostic du {date}, {n} clients décrochaient : {fate}.",
        "At the diagnostic of {date}, {n} customers were slipping away: {fate}.",
    ),
    "follow.fate.recovered.one": (
        "{n} a racheté depuis ({revenue} de CA)",
        "{n} bought again since ({revenue} of revenue)",
    ),
    "follow.fate.recovered.other": (
        "{n} ont racheté depuis ({revenue} de CA)",
        "{n} bought again since ({revenue} of revenue)",
    ),
    "follow.fate.lost.one": ("{n} est perdu", "{n} is lost"),
    "follow.fate.lost.other": ("{n} sont perdus", "{n} are lost"),
    "follow.fate.still_flagged.one": ("{n} décroche encore", "{n} is still slipping away"),
    "follow.fate.still_flagged.other": ("{n} décrochent encore", "{n} are still slipping away"),
    "follow.fate.other.one": ("{n} autre", "{n} other"),
    "follow.fate.other.other": ("{n} autres", "{n} others"),
    "follow.and": (" et ", " and "),
    "follow.none_flagged": (
        "Au diagnostic du {date}, aucun client ne décrochait.",
        "At the diagnostic of {date}, no customer was slipping away.",
    ),
    "follow.as_of": ("Diagnostic du", "Diagnostic of"),
    "follow.row.recovered": ("Ont racheté depuis", "Bought again since"),
    "follow.row.lost": ("Perdus", "Lost"),
    "follow.row.still_flagged": ("Décrochent encore", "Still slipping away"),
    "follow.row.rest": ("Autres", "Other"),
    "follow.header.class": ("Devenir", "What became of them"),
    "follow.header.customers": ("Clients", "Customers"),
    "follow.header.share": ("Part", "Share"),
}
