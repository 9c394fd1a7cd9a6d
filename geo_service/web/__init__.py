"""The workspace: German web pages for the people who do the work (clerks of the housing
office, partner organisations, planners), server-rendered with Jinja2, every text from the
message catalogue (``geo_service.i18n``), no inline script or style, one browser session for
every page (``geo_service.auth.sessions``), a CSRF token on every form that changes something.

Pages call the services directly (never this server's own HTTP API). ``install`` mounts them on
the FastAPI app with the security headers and the German error pages.
"""
