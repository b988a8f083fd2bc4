"""Fund reports (风险补偿金报表): what a county poverty office, finance bureau or the province reads.

The report data are plain dataclasses built from the ledger's read side (:mod:`credit_engine.ledger.position`,
:mod:`credit_engine.ledger.history`) "as of a value date, as known at a recording time": leverage per fund with
county and province roll-ups (:mod:`.leverage`), portfolio quality (:mod:`.portfolio`), household share of lending
(:mod:`.leverage`), interest subsidy due for a period (:mod:`.subsidy`) and a month-end series for the charts
(:mod:`.series`); :mod:`.build` assembles a :class:`~.build.Report`. Renderers turn a report into JSON, CSV, XLSX or
a self-contained HTML page (:mod:`.formats`, :mod:`.xlsx`, :mod:`.html`); they hold no business rule. Money is
integer fen in the data and in JSON, yuan (converted exactly through ``Decimal``) in CSV, XLSX and HTML.
"""
