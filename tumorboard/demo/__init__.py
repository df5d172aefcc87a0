"""The demo program and the seed-demo command."""
