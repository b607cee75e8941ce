"""What several blueprints share: error tables, wording, safe redirects, form fields."""
