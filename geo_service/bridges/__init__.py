"""Bridge builders and new-citizen guides: volunteers and whom they accompany."""
