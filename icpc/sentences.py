"""The sentences of the outputs in French and English, with ``{placeholders}`` for figures.

They join :data:`icpc.labels.LABELS` (one catalogue, read with :func:`icpc.labels.label`
and filled with ``str.format``); the typography is applied there, once. The words
(headings, columns, values) stay in :mod:`icpc.labels`. :data:`DEFINITIONS` is the
report's glossary, each term defined once.
"""

from __future__ import annotations

__all__ = ["DEFINITIONS", "SENTENCES"]

#: key -> (French, English)
SENTENCES: dict[str, tuple[str, str]] = {
    # --- sentences of the method section ---------------------------------------------------
    "method.segment_rules": (
        "Chaque client noté reçoit le premier segment dont il remplit la règle, dans l'ordre "
        "du tableau (scores de 1 à 5, 5 = meilleur).",
        "Each scored customer gets the first segment whose rule they meet, in the table's "
        "order (scores 1 to 5, 5 = best).",
    ),
    "method.rule": ("Règle", "Rule"),
    "early_warning.takeaway": (
        "Les {shown} premiers de la liste pèsent {top} des {total} de CA en jeu ; la liste "
        "complète ({n} clients) est dans l'onglet « {sheet} » du classeur.",
        "The first {shown} of the list weigh {top} of the {total} at stake; the full list "
        "({n} customers) is in the workbook's “{sheet}” sheet.",
    ),
    "early_warning.takeaway_all": (
        "Ils pèsent {total} de CA en jeu ; ils sont aussi dans l'onglet « {sheet} » du classeur.",
        "They weigh {total} at stake; they are in the workbook's “{sheet}” sheet too.",
    ),
    "method.thresholds": (
        "Seuils de ce diagnostic : parmi les clients d'au moins {min} achats qui ont acheté "
        "dans les {recent} derniers jours, un client décroche quand son silence dépasse "
        "{ratio} fois son intervalle habituel entre deux achats, ou quand son CA des {months} "
        "derniers mois a baissé d'au moins {fall} par rapport aux mêmes mois un an plus tôt. "
        "Les parts de la concentration sont celles du CA N des clients actifs.",
        "Thresholds of this diagnostic: among the customers with at least {min} purchases who "
        "bought in the last {recent} days, a customer is slipping away when their silence "
        "exceeds {ratio} times their usual interval between purchases, or when their revenue "
        "of the last {months} months fell by at least {fall} against the same months a year "
        "before. The concentration's shares are of the active customers' revenue N.",
    ),
    # the early warning put to the test on the client's history (icpc.analysis.backtest)
    "method.backtest.other": (
        "Mise à l'épreuve sur l'historique de l'entreprise : appliquée au {cutoff} avec les seules "
        "données connues ce jour-là, l'alerte aurait signalé {flagged} clients ; {not_returned} "
        "d'entre eux ({precision}) n'ont rien acheté {within}, contre {base_rate} de l'ensemble "
        "des {eligible} clients qu'elle surveillait.",
        "Put to the test on the company's history: applied on {cutoff} with only the data "
        "known that day, the warning would have flagged {flagged} customers; {not_returned} of "
        "them ({precision}) bought nothing {within}, against {base_rate} of all the {eligible} "
        "customers it watched.",
    ),
    "method.backtest.one": (
        "Mise à l'épreuve sur l'historique de l'entreprise : appliquée au {cutoff} avec les seules "
        "données connues ce jour-là, l'alerte aurait signalé un client, qui {outcome} {within} ; "
        "{base_rate} de l'ensemble des {eligible} clients qu'elle surveillait n'ont rien acheté.",
        "Put to the test on the company's history: applied on {cutoff} with only the data "
        "known that day, the warning would have flagged one customer, who {outcome} {within}; "
        "{base_rate} of all the {eligible} customers it watched bought nothing.",
    ),
    "method.backtest.none": (
        "Mise à l'épreuve sur l'historique de l'entreprise : appliquée au {cutoff} avec les seules "
        "données connues ce jour-là, l'alerte n'aurait signalé aucun client ; {base_rate} des "
        "{eligible} clients qu'elle surveillait n'ont rien acheté {within}.",
        "Put to the test on the company's history: applied on {cutoff} with only the data "
        "known that day, the warning would have flagged no customer; {base_rate} of the "
        "{eligible} customers it watched bought nothing {within}.",
    ),
    # the same cut-off: the rules, P(alive) and their combination on as many customers
    # (icpc.analysis.warning_model)
    "method.ranking": (
        "À nombre égal ({k} clients au {cutoff}), les plus à risque selon un classement qui "
        "combine ces règles et la probabilité d'être encore client (modèle BG/NBD), appris sur "
        "l'historique de l'entreprise, n'ont rien acheté ensuite dans {combined} des cas, contre "
        "{rules} pour les règles seules et {p_alive} pour la probabilité seule. La colonne "
        "« {column} » des listes d'appels donne ce risque pour chaque client.",
        "For as many customers ({k} on {cutoff}), those most at risk by a ranking that "
        "combines these rules with the probability still a customer (BG/NBD model), learnt on "
        "the client's history, bought nothing afterwards in {combined} of the cases, against "
        "{rules} for the rules alone and {p_alive} for the probability alone. The call lists' "
        "column “{column}” gives this risk for each customer.",
    ),
    "method.ranking.same": (
        "À nombre égal ({k} clients au {cutoff}), les plus à risque selon un classement qui "
        "combine ces règles et la probabilité d'être encore client (modèle BG/NBD), appris sur "
        "l'historique de l'entreprise, n'ont rien acheté ensuite dans {combined} des cas, comme avec "
        "les règles seules ou la probabilité seule. La colonne « {column} » des listes "
        "d'appels donne ce risque pour chaque client.",
        "For as many customers ({k} on {cutoff}), those most at risk by a ranking that "
        "combines these rules with the probability still a customer (BG/NBD model), learnt on "
        "the client's history, bought nothing afterwards in {combined} of the cases, as with "
        "the rules alone or the probability alone. The call lists' column “{column}” gives "
        "this risk for each customer.",
    ),
    "method.backtest.gone": ("n'a rien acheté", "bought nothing"),
    "method.backtest.back": ("a acheté de nouveau", "bought again"),
    "method.backtest.within.one": ("le mois suivant", "in the following month"),
    "method.backtest.within.other": ("dans les {n} mois suivants", "in the following {n} months"),
    # --- the report's cover ---------------------------------------------------------------
    "cover.title": ("Diagnostic commercial", "Commercial diagnostic"),
    "cover.period": (
        "Période analysée : du {start} au {end}",
        "Period analysed: from {start} to {end}",
    ),
    "cover.previous": (
        "Comparée à la période du {start} au {end}",
        "Compared with the period from {start} to {end}",
    ),
    "cover.as_of": ("Date d'analyse", "Analysis date"),
    "cover.prepared_by": ("Préparé par", "Prepared by"),
    "cover.generated": ("Édité le", "Issued on"),
    "cover.toc": ("Sommaire", "Contents"),
    "cover.confidential": (
        "Document confidentiel — établi pour {client} ; ne pas diffuser sans son accord.",
        "Confidential document — prepared for {client}; not to be distributed without their consent.",
    ),
    # --- chart titles that say the message (icpc.report.findings.titles) ------------------
    "title.monthly": (
        "N au-dessus de N−1 sur {above} mois sur {months}",
        "N above N−1 in {above} months out of {months}",
    ),
    "title.active_customers": (
        "{now} clients actifs contre {before} en N−1 ({won} gagnés, {lost} perdus)",
        "{now} active customers against {before} in N−1 ({won} won, {lost} lost)",
    ),
    "title.lost": (
        "{n} des {total} clients perdus ont acheté pour la dernière fois au {quarter}",
        "{n} of the {total} lost customers last bought in {quarter}",
    ),
    "title.lost_two": (
        "{n} des {total} clients perdus ont acheté pour la dernière fois au {first}, autant au {second}",
        "{n} of the {total} lost customers last bought in {first}, as many in {second}",
    ),
    "title.lost_spread": (
        "Les {total} clients perdus ont acheté pour la dernière fois sur {quarters} trimestres",
        "The {total} lost customers last bought over {quarters} quarters",
    ),
    "title.quarter": ("T{q} {year}", "Q{q} {year}"),
    "title.pareto": (
        "20 % des clients font {share} du CA N",
        "20% of the customers make {share} of revenue N",
    ),
    "title.cohorts": (
        "Après un an, {share} des clients d'une cohorte achètent encore (médiane)",
        "After a year, {share} of a cohort's customers still buy (median)",
    ),
    "title.bridge.more": (
        "{loss} ({loss_amount}) pèsent plus que {gain} ({gain_amount})",
        "{loss} ({loss_amount}) outweigh {gain} ({gain_amount})",
    ),
    "title.bridge.less_partly": (
        "{gain} ({gain_amount}) ne compensent qu'en partie les baisses ({losses_amount} en tout)",
        "{gain} ({gain_amount}) offset only part of the falls ({losses_amount} in all)",
    ),
    "title.bridge.more_partly": (
        "{loss} ({loss_amount}) pèsent moins que les hausses ({gains_amount} en tout)",
        "{loss} ({loss_amount}) weigh less than the rises ({gains_amount} in all)",
    ),
    "title.bridge.less": (
        "{gain} ({gain_amount}) compensent {loss} ({loss_amount})",
        "{gain} ({gain_amount}) offset {loss} ({loss_amount})",
    ),
    "title.who.new": ("les nouveaux clients", "new customers"),
    "title.who.reactivated": ("les clients réactivés", "reactivated customers"),
    "title.who.retained": ("les clients fidélisés", "retained customers"),
    "title.who.lost": ("les clients perdus", "lost customers"),
    "title.decomposition": (
        "Clients {customers}, fréquence {frequency}, panier {basket} = variation du CA {total}",
        "Customers {customers}, frequency {frequency}, basket {basket} = revenue change {total}",
    ),
    "title.rf": (
        "{top} clients au meilleur score (R 5, F 5), {bottom} au plus bas (R 1, F 1)",
        "{top} customers at the best score (R 5, F 5), {bottom} at the lowest (R 1, F 1)",
    ),
    "title.migration": (
        "{share} des clients notés au {start} et au {end} sont restés dans leur segment",
        "{share} of the customers scored on {start} and on {end} stayed in their segment",
    ),
    "title.salesperson": (
        "{name} en tête avec {amount} de CA N ({share})",
        "{name} leads with {amount} of revenue N ({share})",
    ),
    "dependence.top10": (
        "Les 10 premiers clients font {top10} du CA N ; le premier, {name}, {top1}.",
        "The first 10 customers make {top10} of revenue N; the first, {name}, {top1}.",
    ),
    "dependence.takeaway": (
        "Le premier client pèse {top1} du CA N et les trois premiers {top3} : sans eux, le CA N "
        "serait de {without}.",
        "The first customer weighs {top1} of revenue N and the top three {top3}: without them, "
        "revenue N would be {without}.",
    ),
    "summary.bridge": (
        "Du CA N−1 au CA N : {steps} = {end}.",
        "From revenue N−1 to revenue N: {steps} = {end}.",
    ),
    "quality.takeaway": (
        "Sur {read} lignes lues, {used} servent à l'analyse ; les {excluded} écartées pèsent "
        "{amount}, le détail suit.",
        "Of {read} rows read, {used} are analysed; the {excluded} left out weigh {amount}, "
        "detailed below.",
    ),
    "quality.takeaway_later": (
        "Sur {read} lignes lues, {used} servent à l'analyse ; les {later} autres sont datées après "
        "la date d'analyse, hors du diagnostic : aucune n'est écartée pour un défaut.",
        "Of {read} rows read, {used} are analysed; the other {later} are dated after the analysis "
        "date, outside the diagnostic: none is left out for a defect.",
    ),
    "quality.takeaway_later_and_excluded": (
        "Sur {read} lignes lues, {used} servent à l'analyse et {later} sont datées après la date "
        "d'analyse, hors du diagnostic ; les {excluded} écartées pour un défaut pèsent {amount}, "
        "le détail suit.",
        "Of {read} rows read, {used} are analysed and {later} are dated after the analysis date, "
        "outside the diagnostic; the {excluded} left out for a defect weigh {amount}, detailed below.",
    ),
    "quality.takeaway_all": (
        "Les {read} lignes lues servent toutes à l'analyse.",
        "All {read} rows read are analysed.",
    ),
    "method.any": ("tous", "any"),
    "note.nobody_slipping": (
        "Aucun client ne décroche de son rythme d'achat habituel à la date d'analyse.",
        "No customer is slipping away from their usual buying rhythm at the analysis date.",
    ),
    "note.rows_kept": ("{reason} : {rows} lignes conservées", "{reason}: {rows} rows kept"),
    "note.file_warnings": ("Dans {file} : {warnings}.", "In {file}: {warnings}."),
    "note.file_warning": ("{reason} ({rows})", "{reason} ({rows})"),
    "note.exclusions_not_found.one": (
        "Le client à exclure {codes} (exclude.customers) ne figure dans aucun fichier : "
        "rien n’a été exclu pour lui ; vérifiez son code.",
        "The customer to exclude {codes} (exclude.customers) is in no file: nothing was "
        "excluded for it; check its code.",
    ),
    "note.exclusions_not_found.other": (
        "Les clients à exclure {codes} (exclude.customers) ne figurent dans aucun fichier : "
        "rien n’a été exclu pour eux ; vérifiez leurs codes.",
        "The customers to exclude {codes} (exclude.customers) are in no file: nothing was "
        "excluded for them; check their codes.",
    ),
    "note.where_not_found.one": (
        "La valeur à exclure {values} ({rule}) ne figure dans aucun fichier : rien n’a été "
        "exclu pour elle ; vérifiez son orthographe.",
        "The value to exclude {values} ({rule}) is in no file: nothing was excluded for it; "
        "check its spelling.",
    ),
    "note.where_not_found.other": (
        "Les valeurs à exclure {values} ({rule}) ne figurent dans aucun fichier : rien n’a "
        "été exclu pour elles ; vérifiez leur orthographe.",
        "The values to exclude {values} ({rule}) are in no file: nothing was excluded for "
        "them; check their spelling.",
    ),
    "note.anomaly_groups": (
        "{groups} groupes, {customers} clients partageant une adresse ou un SIRET, dont "
        "{created} créés par {salesperson} ; la liste complète est dans le classeur Excel "
        "(onglet « Créations à vérifier »).",
        "{groups} groups, {customers} customers sharing an address or a SIRET, {created} of "
        "them created by {salesperson}; the full list is in the Excel workbook (“Creations "
        "to check” sheet).",
    ),
    "note.anomaly_groups_all": (
        "{groups} groupes, {customers} clients partageant une adresse ou un SIRET, tous créés "
        "par {salesperson} ; la liste complète est dans le classeur Excel (onglet « Créations "
        "à vérifier »).",
        "{groups} groups, {customers} customers sharing an address or a SIRET, all created by "
        "{salesperson}; the full list is in the Excel workbook (“Creations to check” sheet).",
    ),
    "note.anomaly_groups_plain": (
        "{groups} groupes, {customers} clients partageant une adresse ou un SIRET ; la liste "
        "complète est dans le classeur Excel (onglet « Créations à vérifier »).",
        "{groups} groups, {customers} customers sharing an address or a SIRET; the full list "
        "is in the Excel workbook (“Creations to check” sheet).",
    ),
    "note.cohort_first_quarter": (
        "Une cohorte réunit les clients dont le premier achat tombe dans le même trimestre. Le "
        "trimestre 0 peut rester sous 100 % : un client dont le premier achat a été annulé par "
        "un avoir dans ce trimestre n'y compte pas comme actif.",
        "A cohort gathers the customers whose first purchase falls in the same quarter. Quarter "
        "0 can stay below 100%: a customer whose first purchase was cancelled by a credit note "
        "within that quarter does not count as active in it.",
    ),
    # --- the end of icpc run: the files written, the first to open first ---------------
    "run.files": (
        "Fichiers écrits dans {folder} (ouvrir le premier d'abord) :",
        "Files written in {folder} (open the first one first):",
    ),
    "run.file.pdf": ("le rapport pour le dirigeant", "the report for the managing director"),
    "run.file.excel": (
        "le classeur de l'équipe commerciale : liste d'appels, un onglet par commercial",
        "the sales team's workbook: call list, one sheet per salesperson",
    ),
    "run.file.kpis": ("les indicateurs, pour les outils", "the indicators, for tools"),
    "run.file.customers": (
        "un client par ligne, pour les outils",
        "one customer per line, for tools",
    ),
    "run.file.notebook": (
        "le carnet de l'analyste (JupyterLab)",
        "the analyst's notebook (JupyterLab)",
    ),
    "run.file.manifest": (
        "la trace de l'exécution (entrées, version, durées)",
        "the record of the run (inputs, version, timings)",
    ),
    # --- the mix effect: bridge and decomposition of opposite signs ---------------------
    "mix.frequency": (
        "Chez les clients fidélisés, la fréquence "
        "d'achat {own_verb} ({own}) ; sur l'ensemble des clients, elle {overall_verb} ({overall}), "
        "parce que les clients gagnés et perdus n'achètent pas au même rythme que les fidélisés "
        "(effet de composition).",
        "Among the retained customers, purchase "
        "frequency {own_verb} ({own}); over all customers, it {overall_verb} ({overall}), because "
        "the customers won and lost do not buy at the pace of the retained ones (mix effect).",
    ),
    "mix.basket": (
        "Chez les clients fidélisés, le panier "
        "moyen {own_verb} ({own}) ; sur l'ensemble des clients, il {overall_verb} ({overall}), "
        "parce que les clients gagnés et perdus n'ont pas le même panier que les fidélisés "
        "(effet de composition).",
        "Among the retained customers, the average "
        "basket {own_verb} ({own}); over all customers, it {overall_verb} ({overall}), because "
        "the customers won and lost do not have the basket of the retained ones (mix effect).",
    ),
    "mix.intro": (
        "Le pont et la décomposition ne se contredisent pas, ils ne mesurent pas la même chose :",
        "The bridge and the decomposition do not contradict each other; they do not measure the "
        "same thing:",
    ),
    "mix.up": ("progresse", "rises"),
    "mix.down": ("recule", "falls"),
    # --- the headline of the summary (icpc.report.story) ------------------------------
    "headline.revenue.stable": (
        "Le chiffre d'affaires est stable à {revenue} ({change})",
        "Revenue is flat at {revenue} ({change})",
    ),
    "headline.revenue.up": (
        "Le chiffre d'affaires progresse de {pct}, à {revenue}",
        "Revenue is up {pct}, at {revenue}",
    ),
    "headline.revenue.down": (
        "Le chiffre d'affaires recule de {pct}, à {revenue}",
        "Revenue is down {pct}, at {revenue}",
    ),
    "headline.offsets": (" : {driver} compense {offset}.", ": {driver} offsets {offset}."),
    "headline.offsets.plural": (
        " : {driver} compensent {offset}.",
        ": {driver} offset {offset}.",
    ),
    "headline.outweighs": (" : {driver} l'emporte sur {offset}.", ": {driver} outweighs {offset}."),
    "headline.outweighs.plural": (
        " : {driver} l'emportent sur {offset}.",
        ": {driver} outweigh {offset}.",
    ),
    "headline.driven": (" : {driver}.", ": {driver}."),
    "headline.and": (" et ", " and "),
    "headline.customers.up": (
        "la hausse du nombre de clients actifs ({amount})",
        "a rise in active customers ({amount})",
    ),
    "headline.customers.down": (
        "la baisse du nombre de clients actifs ({amount})",
        "a fall in active customers ({amount})",
    ),
    "headline.frequency.up": (
        "des achats plus fréquents ({amount})",
        "a rise in purchase frequency ({amount})",
    ),
    "headline.frequency.down": (
        "des achats moins fréquents ({amount})",
        "a fall in purchase frequency ({amount})",
    ),
    "headline.basket.up": (
        "un panier moyen plus élevé ({amount})",
        "a higher average basket ({amount})",
    ),
    "headline.basket.down": (
        "un panier moyen plus faible ({amount})",
        "a lower average basket ({amount})",
    ),
    "headline.creations": (
        "Mais {new_among} des {new_total} nouveaux clients ont été créés en série à des adresses "
        "partagées, à vérifier ; sans eux, le panier moyen évolue de {without} au lieu de {with_}.",
        "But {new_among} of the {new_total} new customers were created in a burst at shared addresses, "
        "to be checked; without them, the average basket changes by {without} instead of {with_}.",
    ),
    "headline.creations.some": (
        "Mais {new_among} des {new_total} nouveaux clients font partie de {created} créations à "
        "des adresses partagées, à vérifier ; sans ces {created} clients, le panier moyen évolue "
        "de {without} au lieu de {with_}.",
        "But {new_among} of the {new_total} new customers belong to {created} creations at shared "
        "addresses, to be checked; without these {created} customers, the average basket changes "
        "by {without} instead of {with_}.",
    ),
    # --- the plan of action (icpc.analysis.actions) -------------------------------------
    "action.takeaway": (
        "{n} actions à lancer dès cette semaine, classées par montant en jeu ; la première "
        "porte sur {first}.",
        "{n} actions to start this week, ranked by the amount at stake; the first one is "
        "worth {first}.",
    ),
    "action.call_slipping": (
        "Appeler les {n} clients qui décrochent de leur rythme d'achat, les plus gros d'abord "
        "(dont {top_amount} chez les clients {of_top_salesperson}).",
        "Call the {n} customers slipping away from their buying rhythm, the largest first "
        "({top_amount} of it with {top_salesperson}'s customers).",
    ),
    "action.call_slipping.no_salesperson": (
        "Appeler les {n} clients qui décrochent de leur rythme d'achat, les plus gros d'abord.",
        "Call the {n} customers slipping away from their buying rhythm, the largest first.",
    ),
    "action.win_back_lost": (
        "Reconquérir les {n} plus gros clients perdus ({share} du CA perdu) : visite, "
        "comprendre la cause, offre de retour.",
        "Win back the {n} largest lost customers ({share} of the lost revenue): visit, "
        "understand why, make a return offer.",
    ),
    "action.check_creations": (
        "À vérifier : {n} clients créés par {salesperson} à des adresses partagées "
        "({new_among} des {new_total} nouveaux clients ; panier moyen {basket} contre "
        "{basket_others} pour les autres clients, sur tout l'historique) ; une prime de "
        "prospection pourrait l'expliquer.",
        "To be checked: {n} customers created by {salesperson} at shared addresses "
        "({new_among} of the {new_total} new customers; average basket {basket} against "
        "{basket_others} for the other customers, over the whole history); a prospecting "
        "bonus might explain it.",
    ),
    "action.salesperson_gap": (
        "Faire le point avec {salesperson} : son CA recule de {pct} ; {n} de ses clients "
        "achètent moins qu'en N−1.",
        "Review with {salesperson}: their revenue is down {pct}; {n} of their customers buy "
        "less than in N−1.",
    ),
    "action.secure_top": (
        "Sécuriser les 5 premiers clients ({share} du CA N) : rendez-vous du dirigeant, "
        "conditions, contrat.",
        "Secure the top 5 customers ({share} of revenue N): a meeting with the managing "
        "director, terms, a contract.",
    ),
    "action.amount_note": ("Montant en jeu : {parts}.", "Amount at stake: {parts}."),
    "action.amount.call_slipping": (
        "pour les clients qui décrochent, leur CA des 12 derniers mois",
        "for the slipping customers, their revenue of the last 12 months",
    ),
    "action.amount.win_back_lost": (
        "pour les clients perdus, leur CA N−1",
        "for the lost customers, their revenue N−1",
    ),
    "action.amount.check_creations": (
        "pour les créations, le CA N qu'elles ont apporté",
        "for the creations, the revenue N they brought",
    ),
    "action.amount.salesperson_gap": (
        "pour un commercial, la baisse de son CA",
        "for a salesperson, the fall of their revenue",
    ),
    "action.amount.secure_top": (
        "pour les premiers clients, leur CA N",
        "for the top customers, their revenue N",
    ),
    "action.header.action": ("Action", "Action"),
    "action.header.owner": ("Responsable", "Owner"),
    "action.header.customers": ("Clients", "Customers"),
    "action.header.amount": ("Montant en jeu", "Amount at stake"),
    "action.header.sheet": ("Onglet Excel", "Excel sheet"),
    "owner.salespeople": (
        "Chaque commercial, pour ses clients",
        "Each salesperson, for their customers",
    ),
    "owner.sales_director": ("Directeur commercial", "Sales director"),
    "owner.managing_director": ("Dirigeant", "Managing director"),
    "owner.with": ("{owner}, avec {salesperson}", "{owner}, with {salesperson}"),
    "method.period": (
        "Date d'analyse : {as_of} ; période N du {start} au {end}.",
        "Analysis date: {as_of}; period N from {start} to {end}.",
    ),
    "method.compare.previous_year": (
        "N−1, du {start} au {end}, couvre les mêmes mois un an plus tôt : l'écart n'est pas "
        "un effet de saison.",
        "N−1, from {start} to {end}, covers the same months one year earlier: the change is "
        "not a seasonal effect.",
    ),
    "method.compare.previous_period": (
        "N−1, du {start} au {end}, couvre les {months} mois qui précèdent N.",
        "N−1, from {start} to {end}, covers the {months} months before N.",
    ),
    "method.seasonality": (
        "N et N−1 ne couvrent pas les mêmes mois de l'année : une partie de l'écart peut venir de "
        "la saisonnalité de l'activité. Une comparaison avec les mêmes mois de l'année "
        "précédente lèverait ce doute.",
        "N and N−1 do not cover the same months of the year: part of the change may come from "
        "the seasonality of the business. A comparison with the same months of the year "
        "before would settle it.",
    ),
    "warning.data_end": (
        "Attention : les données s'arrêtent le {last}, {days} jours avant la date d'analyse "
        "({as_of}) ; les chiffres de la période N n'en couvrent qu'une partie.",
        "Warning: the data ends on {last}, {days} days before the analysis date ({as_of}); "
        "the figures of period N cover only part of it.",
    ),
    "method.descriptive": (
        "Ce diagnostic est descriptif : il lit l'historique des ventes à la date d'analyse. "
        "Il sert de base à une prévision mais n'en est pas une.",
        "This diagnostic is descriptive: it reads the sales history at the analysis date. "
        "It is a basis for a forecast, not a forecast.",
    ),
}


#: the glossary of the method section, each term defined once: (label key, French, English)
DEFINITIONS: tuple[tuple[str, str, str], ...] = (
    ("revenue", "somme des montants hors taxes des lignes de la période, avoirs déduits",
     "sum of the net amounts of the period's lines, credit notes deducted"),
    ("sales_count", "documents (factures) de la période dont le total est positif",
     "documents (invoices) of the period whose total is positive"),
    ("active_customers", "clients dont le CA net de la période est positif",
     "customers whose net revenue in the period is positive"),
    ("average_basket", "CA / nombre de ventes", "revenue / number of sales"),
    ("purchase_frequency", "nombre de ventes / clients actifs", "number of sales / active customers"),
    ("new_customers", "actifs en N, premier achat de leur histoire en N",
     "active in N, first purchase ever in N"),
    ("retained_customers", "actifs en N et en N−1", "active in N and in N−1"),
    ("reactivated_customers", "actifs en N, pas en N−1, déjà clients auparavant",
     "active in N, not in N−1, customers before"),
    ("lost_customers", "actifs en N−1, plus en N", "active in N−1, not in N"),
    ("churn_rate", "clients perdus / clients actifs N−1", "lost customers / active customers N−1"),
    ("revenue_per_customer", "CA / clients actifs", "revenue / active customers"),
    ("margin", "somme des marges des lignes de la période (si le fichier la donne)",
     "sum of the margins of the period's lines (when the file gives it)"),
    ("margin_rate", "marge / CA", "margin / revenue"),
    ("lost_revenue", "CA N−1 des clients perdus", "revenue N−1 of the lost customers"),
    ("retention_rate", "clients fidélisés / clients actifs N−1",
     "retained customers / active customers N−1"),
    ("sub.bridge", "le CA N−1, plus ce qu'apportent les nouveaux et les réactivés, plus "
     "l'évolution de la fréquence et du panier des fidélisés, moins le CA N−1 des perdus, "
     "donne le CA N",
     "revenue N−1, plus what the new and reactivated customers bring, plus the change in the "
     "retained customers' frequency and basket, minus the lost customers' revenue N−1, gives "
     "revenue N"),
    ("sub.decomposition", "la variation du CA partagée entre le nombre de clients, la fréquence "
     "et le panier (méthode LMDI : les trois effets s'additionnent exactement) ; mesurée sur "
     "tous les clients, elle peut différer du pont, mesuré sur les seuls fidélisés (effet de "
     "composition)",
     "the revenue change split between the number of customers, frequency and basket (LMDI "
     "method: the three effects add up exactly); measured over all customers, it can differ "
     "from the bridge, measured on the retained customers only (mix effect)"),
    ("cohort", "clients dont le premier achat tombe dans le même trimestre ; chaque case donne "
     "la part encore active n trimestres après",
     "customers whose first purchase falls in the same quarter; each cell gives the share "
     "still active n quarters later"),
    ("rfm_score", "récence, fréquence et montant notés de 1 à 5 par quintiles (5 = meilleur)",
     "recency, frequency and amount scored 1 to 5 by quintiles (5 = best)"),
    ("early_warning", "client dont le silence dépasse un multiple de son rythme d'achat habituel, "
     "ou dont les achats des derniers mois ont fortement chuté (seuils dans la méthode)",
     "customer silent for longer than a multiple of their usual buying interval, "
     "or whose purchases of the last months fell sharply (thresholds in the method)"),
    ("overdue_ratio", "jours depuis le dernier achat / intervalle habituel entre deux achats",
     "days since the last purchase / usual interval between two purchases"),
    ("value_at_stake", "CA des 12 derniers mois du client : ce que son départ coûterait",
     "the customer's revenue over the last 12 months: what losing them would cost"),
    ("guardrail", "seuil fixé à l'avance sur un indicateur ; quand il est franchi, la synthèse "
     "le signale (« Pare-feu franchi ») pour que l'on réagisse vite",
     "a threshold on an indicator set in advance; when it is crossed, the summary says so "
     "(\"Guardrail breached\") so that one reacts fast"),
    ("top_20_share", "part du CA N des clients actifs réalisée par les 20 % les plus importants",
     "share of the active customers' revenue N made by the largest 20%"),
    ("herfindahl", "somme des carrés des parts de CA des clients (1 = un seul client ; "
     "proche de 0 = CA très réparti)",
     "sum of the squared revenue shares of the customers (1 = a single customer; close to "
     "0 = revenue widely spread)"),
    ("completion_rate", "appels aboutis / appels passés", "completed calls / calls made"),
    ("conversion_rate", "ventes / appels aboutis (peut dépasser 100 % : toutes les ventes ne "
     "suivent pas un appel)",
     "sales / completed calls (can exceed 100%: not every sale follows a call)"),
)  # fmt: skip
