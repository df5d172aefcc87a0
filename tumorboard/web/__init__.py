"""Cross-cutting web plumbing: who may use a route, the action runner, headers and session limits, error pages."""
