from ._common import stored  # noqa: F401  (the module-scoped stored-content client)
