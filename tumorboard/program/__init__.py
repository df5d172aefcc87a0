"""Program-wide settings."""
