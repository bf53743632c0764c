import { useEffect, useState } from 'preact/hooks';

/**
 * The console's pages live in the URL's fragment (`/console/#/transactions?state=unknown`):
 * the gateway serves one page, links are plain links (keyboard and middle-click work), and a
 * filtered list can be bookmarked or shared.
 */
export interface Route {
  /** The path's segments: `#/transactions/abc` → ['transactions', 'abc']. */
  segments: string[];
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [path = '', search = ''] = text.split('?', 2);
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, query: Object.fromEntries(new URLSearchParams(search)) };
}

/** `#/a/b?x=1`, leaving out empty query values. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, value);
  }
  const search = params.toString();
  return `#${path}${search === '' ? '' : `?${search}`}`;
}

export function navigate(path: string, query: Record<string, string | undefined> = {}): void {
  location.hash = href(path, query);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
