"""Plan letters: issued, immutable, versioned."""
