"""Server-rendered pages of the core app; each view is request → service → response."""
