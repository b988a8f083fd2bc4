"""Request and response schemas, one per direction (``...In`` read from a request, ``...Out`` written back).

Output schemas list exactly what may leave the service, so nothing else (a raw ID number, a key's hash) can leak.
Money is yuan with at most two decimals in both directions; the ledger keeps integer fen inside.
"""
