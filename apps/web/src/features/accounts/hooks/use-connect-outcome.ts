/**
 * The outcome of TikTok's consent round trip, which the API reports on the URL
 * (`?tiktok_connect=success&account=…` or `?tiktok_connect=error&code=…`). It is kept in state and
 * removed from the URL at once, so that a refresh does not report it again; it stays on screen
 * until dismissed.
 */
import { parseOAuthOutcome, TIKTOK_CONNECT_QUERY, type OAuthOutcome } from '@cliprelay/contract';
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

export function useConnectOutcome(): { outcome: OAuthOutcome | null; dismiss: () => void } {
  const { pathname, search, hash } = useLocation();
  const navigate = useNavigate();
  const fromUrl = parseOAuthOutcome(new URLSearchParams(search));
  const [outcome, setOutcome] = useState<OAuthOutcome | null>(fromUrl);
  // A new outcome while the screen is open (state adjusted during render, not in an effect).
  const [seenSearch, setSeenSearch] = useState(search);
  if (search !== seenSearch) {
    setSeenSearch(search);
    if (fromUrl) setOutcome(fromUrl);
  }

  const hasOutcome = fromUrl !== null;
  useEffect(() => {
    if (!hasOutcome) return;
    const rest = new URLSearchParams(search);
    for (const name of Object.values(TIKTOK_CONNECT_QUERY)) rest.delete(name);
    const query = rest.toString();
    void navigate({ pathname, search: query ? `?${query}` : '', hash }, { replace: true });
  }, [hasOutcome, navigate, pathname, search, hash]);

  return { outcome, dismiss: () => setOutcome(null) };
}
