"""Teams: who manages whom. Minimal for now; the managers issue builds it out."""
