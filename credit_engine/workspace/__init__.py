"""The fund administrator's workspace as pure services: sign-in sessions, the action list, drill-down view models,
the charts and the fund's stress test. The web adapter is :mod:`api.web`."""
