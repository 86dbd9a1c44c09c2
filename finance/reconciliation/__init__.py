"""Bank reconciliation of a contract: statements, matching, workspace pages and API."""
