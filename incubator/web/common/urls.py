"""Where the JSON API lives; every other link is built with `url_for`."""

API_ROOT = "/api"  # the API's versions live below it (`/api/v1`); errors there answer in JSON
