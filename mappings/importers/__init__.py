"""Importers for mapping content (change lists); found by terminology.importers' discovery."""
