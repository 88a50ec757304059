"""Writes of the people app, by sub-domain: members, accounts, residents, liaisons."""
