"""Running Emhana at a clinic: backups and restores, the SMS worker, logging, health checks, upgrades.

Nothing here is a regulation service; these are the administrator's tools (issue 15), reached through the
`flask --app wsgi ...` commands in app/cli.py and the units in deploy/.
"""
