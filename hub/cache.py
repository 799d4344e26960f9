"""A content generation number shared through the cache.

Every page cache key includes the generation, so saving anything public
invalidates every cached page at once, on every app server that shares the cache.
"""

import time

from django.core.cache import cache

GENERATION_KEY = "hub:content-generation"


def content_generation() -> float:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time()
        cache.add(GENERATION_KEY, generation, timeout=None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def bump_content_generation() -> float:
    generation = time.time()
    cache.set(GENERATION_KEY, generation, timeout=None)
    return generation
