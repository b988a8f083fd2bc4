"""The FastAPI application of the credit engine: routes translate HTTP to the engine's services and back.

:func:`api.app.create_app` builds the app from the settings (nothing connects at import); ``credit-engine serve``
runs it with uvicorn. Routes live per resource in :mod:`api.routes`, request and response schemas in
:mod:`api.schemas`, the one mapping of engine errors to HTTP in :mod:`api.errors`; the business rules stay in
``credit_engine`` (assessment, ledger desk, access, audit). The API never imports ``training/``.
"""
