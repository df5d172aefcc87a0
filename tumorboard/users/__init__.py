"""User management for admins and coordinators."""
