"""The ``credit-engine`` command line: an entry point, like ``api/``; it may import every layer."""
