"""Service `agenda`: local events and their occurrences."""
