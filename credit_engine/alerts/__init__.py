"""Alerts on a fund's status (基金状态告警): a change of status is recorded once and delivered to a webhook.

:mod:`.tables` keeps each fund's last seen status and an outbox of changes; :mod:`.changes` records a change once
however many processes see it; :mod:`.delivery` hands the outbox to a sender with retries. The sender (an HTTP
POST with a signed body) is the API's adapter (:mod:`api.alert_webhook`): this package knows no transport.
"""
