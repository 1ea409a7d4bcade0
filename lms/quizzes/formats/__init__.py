"""Question file formats (GIFT, Aiken): parse into question types, and write GIFT back."""
