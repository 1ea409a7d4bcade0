"""Exchange with the public-health institute: API clients, the JSON API, the data dictionary."""
