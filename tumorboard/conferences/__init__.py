"""Conference series, their occurrences and agendas."""
