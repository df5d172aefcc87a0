"""The dashboard each role lands on."""
