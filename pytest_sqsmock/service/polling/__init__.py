"""Long polls that wait, and the consumers that make them."""
