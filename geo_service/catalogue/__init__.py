"""The offer catalogue: referral search by language, category and distance."""
