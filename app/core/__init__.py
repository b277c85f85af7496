"""Leaf helpers any layer may import: the clock, IINs, actors, bilingual texts, the language, bounds of
typed input, the transaction cache and URL building. Core imports only Flask, the models and the extensions,
never a service or a blueprint, so registries, notify and models can lean on it without a cycle."""
