# syntax=docker/dockerfile:1
# The steps here are the Makefile's: install the lock, collectstatic in production mode, gunicorn
# with gunicorn.conf.py. The tests run those same commands.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY requirements.lock .
RUN python -m venv /venv \
 && /venv/bin/python -m pip install --require-hashes --no-deps -r requirements.lock
COPY . .
# collectstatic needs settings to import; these values exist only for this build step.
RUN DJANGO_SETTINGS_MODULE=hub.settings.prod \
    DJANGO_SECRET_KEY=collectstatic-at-build-time-only-0123456789abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    /venv/bin/python manage.py collectstatic --noinput -v0

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hub.settings.prod \
    PORT=8000
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin hub
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build --chown=hub:hub /app /app
USER hub
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "hub.healthcheck"]
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
