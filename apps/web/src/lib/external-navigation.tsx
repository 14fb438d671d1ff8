/**
 * Leaving the app for another site (TikTok's consent page). A context, so that component tests can
 * see where the app would go without the test page navigating away.
 */
import { createContext, useContext } from 'react';

export type NavigateAway = (url: string) => void;

const NavigateAwayContext = createContext<NavigateAway>((url) => window.location.assign(url));

export const NavigateAwayProvider = NavigateAwayContext.Provider;

export function useNavigateAway(): NavigateAway {
  return useContext(NavigateAwayContext);
}
