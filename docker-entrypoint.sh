#!/bin/sh
# Migrate before serving, so a new image never runs against an old schema.
set -e
python manage.py migrate --noinput
if [ "${HUB_LOAD_CONTENT:-0}" = "1" ]; then
  python manage.py load_content
fi
exec "$@"
