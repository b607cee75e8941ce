"""Login, registration, password change and reset."""
