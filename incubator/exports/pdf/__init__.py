"""PDF documents, one module each; `fonts` registers the bundled DejaVu Sans."""
