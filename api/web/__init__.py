"""The fund administrator's workspace in a browser: server-rendered pages (Jinja2) over
:mod:`credit_engine.workspace`, signed in with a session cookie. A thin adapter: no rule lives here."""
