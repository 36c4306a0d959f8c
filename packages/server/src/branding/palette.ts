/**
 * The fixed colours the hosted pages put next to a brand's colours, in light and dark appearance. The brand's
 * primary colour fills buttons (with white text); its accent colour is the colour of links and the tenant name
 * on the page surface. The contrast checks (brand.ts) measure against exactly these.
 */
export const ON_PRIMARY = '#ffffff';
/** Links sit on the white card and on the page background around it; the background is the darker of the two. */
export const LIGHT_SURFACE = '#f3f4f6';
/** In dark appearance the card is the lighter of the two surfaces links sit on. */
export const DARK_SURFACE = '#1f2937';

export const DEFAULT_PRIMARY = '#1d4ed8';
export const DEFAULT_ACCENT = '#1d4ed8';
/** Links in dark appearance when the brand's accent is meant for the light one (appearance `auto`). */
export const DARK_LINK = '#93c5fd';
