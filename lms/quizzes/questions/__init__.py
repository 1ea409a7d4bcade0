"""Question types, answers, grading and their JSON form: no database, no Flask."""
