"""Media files (images and documents) uploaded to content items."""
