"""The words of the salesperson's scorecard (fiche commercial) in French and English.

Part of the one catalogue (:data:`icpc.labels.LABELS`), typeset there. The scorecard
speaks to the salesperson (« vous »). Placeholders are filled with figures already
formatted (:mod:`icpc.report.format`); ``.one`` / ``.other`` pairs agree with a count
(:func:`icpc.labels.plural`).
"""

from __future__ import annotations

__all__ = ["SCORECARD"]

#: key -> (French, English)
SCORECARD: dict[str, tuple[str, str]] = {
    # --- the page ------------------------------------------------------------------------
    "scorecard.title": ("Fiche du commercial", "Salesperson scorecard"),
    "scorecard.client_line": (
        "{client} — diagnostic au {as_of}",
        "{client} — diagnostic at {as_of}",
    ),
    "scorecard.period_line": (
        "Période N du {start} au {end}, comparée à N−1 du {pstart} au {pend}",
        "Period N from {start} to {end}, compared with N−1 from {pstart} to {pend}",
    ),
    "scorecard.period_only": ("Période N du {start} au {end}", "Period N from {start} to {end}"),
    "scorecard.rank_label": ("Votre rang (CA N)", "Your rank (revenue N)"),
    "scorecard.rank": ("{rank} sur {n}", "{rank} of {n}"),
    "scorecard.rank_phrase.one": ("vous êtes le seul commercial", "you are the only salesperson"),
    "scorecard.rank_phrase.other": (
        "vous êtes au {rank} rang des {n} commerciaux",
        "you rank {rank} of {n} salespeople",
    ),
    # ordinals: 1 alone, then by the last digit (21e but 21st; 11e and 11th)
    "scorecard.ordinal.1": ("{n}er", "{n}st"),
    "scorecard.ordinal.x1": ("{n}e", "{n}st"),
    "scorecard.ordinal.x2": ("{n}e", "{n}nd"),
    "scorecard.ordinal.x3": ("{n}e", "{n}rd"),
    "scorecard.ordinal.n": ("{n}e", "{n}th"),
    "scorecard.headline": (
        "Vous avez réalisé {revenue} de chiffre d'affaires en N, {change} par rapport à N−1 : "
        "{rank}.",
        "You made {revenue} of revenue in N, {change} on N−1: {rank}.",
    ),
    "scorecard.headline_no_previous": (
        "Vous avez réalisé {revenue} de chiffre d'affaires en N : {rank}.",
        "You made {revenue} of revenue in N: {rank}.",
    ),
    "scorecard.headline_no_sale": (
        "Aucune vente en N sur les clients qui vous sont attribués ({previous} en N−1).",
        "No sale in N to the customers attributed to you ({previous} in N−1).",
    ),
    "scorecard.headline_no_sale_no_previous": (
        "Aucune vente en N sur les clients qui vous sont attribués.",
        "No sale in N to the customers attributed to you.",
    ),
    # --- indicators ------------------------------------------------------------------------
    "scorecard.indicators": ("Vos indicateurs", "Your indicators"),
    "scorecard.col.indicator": ("Indicateur", "Indicator"),
    "scorecard.col.median": ("Médiane de l'équipe", "Team median"),
    "scorecard.col.gap": ("Vous − médiane", "You − median"),
    "scorecard.purchase_frequency": (
        "Fréquence d'achat (ventes par client)",
        "Purchase frequency (sales per customer)",
    ),
    "scorecard.indicators_note": (
        "Grisé : moins bien que la médiane des {n} commerciaux. Nouveaux, perdus et "
        "fidélisation comparent déjà N à N−1.",
        "Shaded: worse than the median of the {n} salespeople. New, lost and retention "
        "already compare N with N−1.",
    ),
    "scorecard.indicators_note_no_previous": (
        "Grisé : moins bien que la médiane des {n} commerciaux. Sans données N−1, ni "
        "évolution, ni clients perdus, ni fidélisation.",
        "Shaded: worse than the median of the {n} salespeople. Without N−1 data: no "
        "change, no lost customers, no retention.",
    ),
    # --- bridge and months ---------------------------------------------------------------------
    "scorecard.bridge": ("Du CA N−1 au CA N", "From revenue N−1 to revenue N"),
    "scorecard.bridge_note": (
        "Chaque client compte dans une seule classe ; les écarts s'additionnent.",
        "Each customer counts in one class; the changes add up.",
    ),
    "scorecard.bridge_cut": (
        "Axe coupé : les barres partent de {amount}.",
        "Cut axis: the bars start at {amount}.",
    ),
    "scorecard.months": ("Votre CA mois par mois", "Your revenue month by month"),
    "scorecard.months_max": ("barre la plus haute : {amount}", "highest bar: {amount}"),
    "scorecard.no_previous": (
        "Pas de données N−1 : pas de comparaison avec la période précédente.",
        "No N−1 data: no comparison with the previous period.",
    ),
    # --- activity ---------------------------------------------------------------------------
    "scorecard.funnel": ("Des contacts aux ventes (N)", "From contacts to sales (N)"),
    "scorecard.funnel_previous": ("N−1 : {n}", "N−1: {n}"),
    "scorecard.funnel_rates": (
        "Taux d'aboutissement {completion} ; taux de transformation {conversion} "
        "(ventes par appel abouti).",
        "Completion rate {completion}; conversion rate {conversion} (sales per completed call).",
    ),
    "scorecard.funnel_empty": (
        "Aucune activité enregistrée à votre nom dans le journal d'activité.",
        "No activity logged under your name.",
    ),
    # --- portfolio health -------------------------------------------------------------------------
    "scorecard.health": ("Santé de votre portefeuille", "Health of your portfolio"),
    "scorecard.customers.one": (
        "{n} client vous est attribué (celui de sa dernière facture).",
        "{n} customer is attributed to you (the salesperson of its last invoice).",
    ),
    "scorecard.customers.other": (
        "{n} clients vous sont attribués (le commercial de leur dernière facture).",
        "{n} customers are attributed to you (the salesperson of their last invoice).",
    ),
    # the health block counts and shares; the euros are in the priorities (no fact twice)
    "scorecard.slipping.one": (
        "{n} client en décrochage, soit {share} de vos clients{to_check}.",
        "{n} customer slipping away, {share} of your customers{to_check}.",
    ),
    "scorecard.slipping.other": (
        "{n} clients en décrochage, soit {share} de vos clients{to_check}.",
        "{n} customers slipping away, {share} of your customers{to_check}.",
    ),
    "scorecard.slipping_to_check.one": (
        ", dont {n} création à vérifier",
        ", {n} of them a creation to check",
    ),
    "scorecard.slipping_to_check.other": (
        ", dont {n} créations à vérifier",
        ", {n} of them creations to check",
    ),
    "scorecard.slipping_all_to_check.one": (
        " : une création à vérifier",
        ": a creation to check",
    ),
    "scorecard.slipping_all_to_check.other": (
        ", tous des créations à vérifier",
        ", all of them creations to check",
    ),
    "scorecard.slipping_none": ("Aucun client en décrochage.", "No customer slipping away."),
    "scorecard.slipping_top.one": ("À appeler : {names}.", "To call: {names}."),
    "scorecard.slipping_top.other": (
        "Les premiers à appeler : {names}.",
        "The first to call: {names}.",
    ),
    "scorecard.lost.one": (
        "{n} client perdu (actif en N−1, plus en N), soit {share} de vos clients actifs en N−1.",
        "{n} lost customer (active in N−1, not in N), {share} of your customers active in N−1.",
    ),
    "scorecard.lost.other": (
        "{n} clients perdus (actifs en N−1, plus en N), soit {share} de vos clients actifs en N−1.",
        "{n} lost customers (active in N−1, not in N), {share} of your customers active in N−1.",
    ),
    "scorecard.creations.one": (
        "{n} création de client à une adresse partagée, à vérifier, soit {share} de vos clients.",
        "{n} customer created at a shared address, to check, {share} of your customers.",
    ),
    "scorecard.creations.other": (
        "{n} créations de clients à des adresses partagées, à vérifier, soit {share} de vos "
        "clients.",
        "{n} customers created at shared addresses, to check, {share} of your customers.",
    ),
    "scorecard.segments": ("Vos clients par segment Score3D", "Your customers by Score3D segment"),
    "scorecard.segments_none": ("Aucun client classé.", "No customer scored."),
    "scorecard.segments_unscored.one": (
        "Et {n} client sans segment (pas d’achat net positif à classer).",
        "And {n} customer without a segment (no positive net purchase to score).",
    ),
    "scorecard.segments_unscored.other": (
        "Et {n} clients sans segment (pas d’achat net positif à classer).",
        "And {n} customers without a segment (no positive net purchase to score).",
    ),
    "scorecard.segments_more": ("autres segments", "other segments"),
    # --- priorities ----------------------------------------------------------------------------------
    "scorecard.priorities.1": ("Votre priorité", "Your priority"),
    "scorecard.priorities.2": ("Vos deux priorités", "Your two priorities"),
    "scorecard.priorities.3": ("Vos trois priorités", "Your three priorities"),
    "scorecard.priorities_none": (
        "Rien d'urgent ne ressort de vos chiffres.",
        "Nothing urgent stands out in your figures.",
    ),
    "scorecard.sheet": (
        "Les clients concernés : votre feuille « {sheet} » dans actions.xlsx.",
        "The customers concerned: your sheet “{sheet}” in actions.xlsx.",
    ),
    "scorecard.priority.call_slipping.one": (
        "Appelez votre client en décrochage : {amount} de CA sur 12 mois en jeu.",
        "Call your customer who is slipping away: {amount} of revenue over 12 months at stake.",
    ),
    "scorecard.priority.call_slipping.other": (
        "Appelez vos {n} clients en décrochage, les plus gros d'abord : {amount} de CA sur "
        "12 mois en jeu.",
        "Call your {n} customers who are slipping away, the largest first: {amount} of "
        "revenue over 12 months at stake.",
    ),
    # his creations to check are checked first, not called: the call counts the others
    "scorecard.priority.call_slipping_except.one": (
        "Appelez votre client en décrochage ({left_out}) : {amount} de CA sur 12 mois en jeu.",
        "Call your customer who is slipping away ({left_out}): {amount} of revenue over 12 "
        "months at stake.",
    ),
    "scorecard.priority.call_slipping_except.other": (
        "Appelez vos {n} clients en décrochage ({left_out}), les plus gros d'abord : "
        "{amount} de CA sur 12 mois en jeu.",
        "Call your {n} customers who are slipping away ({left_out}), the largest first: "
        "{amount} of revenue over 12 months at stake.",
    ),
    "scorecard.left_out_to_check.one": (
        "hors votre création à vérifier",
        "not counting your creation to check",
    ),
    "scorecard.left_out_to_check.other": (
        "hors vos {n} créations à vérifier",
        "not counting your {n} creations to check",
    ),
    "scorecard.priority.win_back_lost.one": (
        "Reprenez contact avec votre client perdu : il vous avait acheté {amount} en N−1.",
        "Get back in touch with your lost customer: they bought {amount} from you in N−1.",
    ),
    "scorecard.priority.win_back_lost.other": (
        "Reprenez contact avec vos {n} clients perdus : ils vous avaient acheté {amount} en N−1.",
        "Get back in touch with your {n} lost customers: they bought {amount} from you in N−1.",
    ),
    "scorecard.priority.win_back_lost_except.one": (
        "Reprenez contact avec votre client perdu ({left_out}) : il vous avait acheté "
        "{amount} en N−1.",
        "Get back in touch with your lost customer ({left_out}): they bought {amount} from "
        "you in N−1.",
    ),
    "scorecard.priority.win_back_lost_except.other": (
        "Reprenez contact avec vos {n} clients perdus ({left_out}) : ils vous avaient "
        "acheté {amount} en N−1.",
        "Get back in touch with your {n} lost customers ({left_out}): they bought {amount} "
        "from you in N−1.",
    ),
    "scorecard.left_out_lost.one": (
        "hors {n} autre, à appeler ou à vérifier",
        "not counting {n} other, to call or to check",
    ),
    "scorecard.left_out_lost.other": (
        "hors {n} autres, à appeler ou à vérifier",
        "not counting {n} others, to call or to check",
    ),
    "scorecard.priority.check_creations.one": (
        "Vérifiez avec la direction commerciale votre création de client à une adresse "
        "partagée : {amount} de CA N, {basket}.",
        "Check your customer created at a shared address with the sales director: "
        "{amount} of revenue N, {basket}.",
    ),
    "scorecard.priority.check_creations.other": (
        "Vérifiez avec la direction commerciale vos {n} créations de clients à des "
        "adresses partagées : {amount} de CA N, {basket}.",
        "Check your {n} customers created at shared addresses with the sales director: "
        "{amount} of revenue N, {basket}.",
    ),
    "scorecard.creations_basket": (
        "un panier moyen de {basket} contre {others} pour les clients sans adresse partagée, "
        "sur tout l'historique",
        "an average basket of {basket} against {others} for the customers sharing no address, "
        "over the whole history",
    ),
    "scorecard.creations_basket_alone": (
        "un panier moyen de {basket}",
        "an average basket of {basket}",
    ),
    "scorecard.priority.raise_basket": (
        "Relevez votre panier moyen ({value}, médiane de l'équipe {median}) : au même "
        "nombre de ventes, c'est {amount} de CA en plus.",
        "Raise your average basket ({value}, team median {median}): with the same number "
        "of sales, that is {amount} more revenue.",
    ),
    "scorecard.priority.raise_frequency": (
        "Faites revenir vos clients plus souvent ({value} ventes par client, médiane de "
        "l'équipe {median}) : au même panier, c'est {amount} de CA en plus.",
        "Bring your customers back more often ({value} sales per customer, team median "
        "{median}): with the same basket, that is {amount} more revenue.",
    ),
    "scorecard.priority.secure_top.one": (
        "Soignez votre premier client : {amount} de CA N, {share} de votre chiffre d'affaires.",
        "Look after your largest customer: {amount} of revenue N, {share} of your revenue.",
    ),
    "scorecard.priority.secure_top.other": (
        "Soignez vos {n} premiers clients : {amount} de CA N, {share} de votre chiffre d'affaires.",
        "Look after your {n} largest customers: {amount} of revenue N, {share} of your revenue.",
    ),
    # --- footer -------------------------------------------------------------------------------------------
    "scorecard.footer": (
        "Diagnostic descriptif : il lit l'historique au {as_of}, il ne prévoit pas. "
        "Document confidentiel, pour vous et votre direction.",
        "A descriptive diagnostic: it reads the history at {as_of}, it does not forecast. "
        "Confidential, for you and your management.",
    ),
    "scorecard.file_fallback": ("commercial", "salesperson"),
    # --- the run's guide (icpc run) ------------------------------------------------------------------
    "run.file.scorecards": (
        "une fiche d'une page par commercial, à lui remettre",
        "a one-page scorecard per salesperson, to hand to each",
    ),
    "scorecard.objectives": ("Vos objectifs : {items}.", "Your objectives: {items}."),
}
