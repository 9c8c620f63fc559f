"""The domain core: lifecycle rules and the working-day clock. Pure Python, no Django."""
