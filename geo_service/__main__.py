"""Allow ``python -m geo_service`` as an alias of the ``geo-service`` command."""

from geo_service.cli import main

main()
