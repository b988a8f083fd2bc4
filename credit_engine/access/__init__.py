"""Who may call the engine: API keys stored as hashes, their roles and scopes, and idempotent requests.

:mod:`.principal` says what a role may do and which counties, bank or province a scope covers; :mod:`.keys`
creates, revokes and recognises keys; :mod:`.requests` admits a write once per idempotency key.
"""
