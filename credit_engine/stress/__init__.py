"""The fund stress test (基金压力测试): how likely is a county's risk-compensation fund to be exhausted, and what
leverage is safe? A pure function from a fund's live book (:mod:`.live_book`) and scenario settings
(:mod:`.scenario`) to results (:mod:`.service`), a Monte-Carlo of a one-factor Gaussian copula (:mod:`.simulation`),
rendered as JSON, XLSX or HTML (:mod:`.rendering`).
"""
