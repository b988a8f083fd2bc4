"""Routes per resource; each translates HTTP to one service call and back."""
