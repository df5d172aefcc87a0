"""Conference series, their occurrences, agendas and calendar feeds."""
