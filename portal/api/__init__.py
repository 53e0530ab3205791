"""The REST API's shared parts: authentication, throttles, errors, the schema and the URLs.

Settings name the first three (REST_FRAMEWORK in portal/settings.py); they import nothing of
`rest_framework.views`, which reads those settings while it is imported.
"""
