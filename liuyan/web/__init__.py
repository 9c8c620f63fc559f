"""Request handling shared by every page and endpoint: ids and numbers parsed so that no value a
client sends can crash a page, and guards that refuse malformed requests before a view runs.

A Django app (its ready() installs the safe IN lookups), kept apart from `liuyan.core`, which is
pure Python and imports no Django.
"""
