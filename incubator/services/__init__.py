"""Services: load from the database, call the domain, commit. `user` and `now` are passed in."""
