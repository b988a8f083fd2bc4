"""The rating policy: versioned configuration (``config``) and the knock-out rules it drives (``knockouts``).

``load_policy()`` reads the shipped 富民贷 policy; pass a path for another one.
"""

from credit_engine.policy.config import PolicyError, RatingPolicy, load_policy, parse_policy
from credit_engine.policy.knockouts import KNOCKOUT_CODES, KNOCKOUT_RULES, knockout_codes, knockout_matrix

__all__ = [
    "KNOCKOUT_CODES",
    "KNOCKOUT_RULES",
    "PolicyError",
    "RatingPolicy",
    "knockout_codes",
    "knockout_matrix",
    "load_policy",
    "parse_policy",
]
