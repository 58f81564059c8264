"""notecheck serving: the FastAPI app, batch scoring of archives and the ``notecheck`` command line."""
