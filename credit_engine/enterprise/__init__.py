"""强农贷: the enterprise application contract (fields, GB 32100 credit code, cross-field and linkage rules, its
validation through the household contract's machinery) and the financial ratios its PD model reads."""
