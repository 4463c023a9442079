"""Importers: other registries (MLflow's Model Registry, GTO's Git tags) read and turned
into proposals, judged and written like any editing command's (between ``edit/`` and
``output/``)."""
