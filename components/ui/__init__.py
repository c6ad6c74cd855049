"""UI pieces: they take prepared frames and draw widgets or return charts."""
