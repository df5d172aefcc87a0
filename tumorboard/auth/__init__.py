"""Login, logout, the current user's profile, and the create-user command."""
