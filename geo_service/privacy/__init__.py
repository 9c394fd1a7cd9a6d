"""Data protection: retention (purge), what is stored under a case (Art. 15) and the
record of processing (Art. 30)."""
