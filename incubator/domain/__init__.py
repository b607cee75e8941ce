"""Pure domain logic: no Flask, no database, no clock."""
