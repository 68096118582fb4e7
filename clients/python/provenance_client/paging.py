"""Listings as iterators: the pages of a listing fetched as the caller goes (`next_page_token`)."""

from typing import Any, Callable, Dict, Iterator, Optional

from .transport import JSON

PAGE_SIZE = 100


def pages(fetch: Callable[[Dict[str, Any]], JSON], key: str, params: Optional[Dict[str, Any]] = None,
          page_size: int = PAGE_SIZE, limit: Optional[int] = None) -> Iterator[JSON]:
    """Every item of the listing under `key`, page after page, up to `limit` items."""
    query = dict(params or {})
    query["page_size"] = page_size if limit is None else min(page_size, max(1, limit))
    given = 0
    while True:
        answer = fetch(query)
        for item in answer.get(key, []):
            yield item
            given += 1
            if limit is not None and given >= limit:
                return
        token = answer.get("next_page_token")
        if not token:
            return
        query["page_token"] = token
