"""A station of a lab server: answers to PostgreSQL, the offline journal, simulated stations."""
