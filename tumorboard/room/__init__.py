"""In the conference room: attendance, recommendations, discussion items, votes."""
