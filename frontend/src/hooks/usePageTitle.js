import { useEffect } from "react";

export const SITE_NAME = "Marketplace";

/** Sets the document title, which screen readers announce on navigation. */
export function usePageTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · ${SITE_NAME}` : SITE_NAME;
  }, [title]);
}
