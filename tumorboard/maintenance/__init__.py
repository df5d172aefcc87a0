"""Maintenance commands run by whoever runs the server: backup and restore."""
