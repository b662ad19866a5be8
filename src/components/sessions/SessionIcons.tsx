/**
 * Icons for live sessions, drawn like the rest of Pulse's set (24×24 strokes in currentColor,
 * decorative unless given a `title`).
 */
import { icon } from "@/components/icons";

export const LotusIcon = icon(
  <>
    <path d="M12 19c-3.5 0-7-2-8.5-5.5 2.3-.4 4.6.2 6.2 1.6" />
    <path d="M12 19c3.5 0 7-2 8.5-5.5-2.3-.4-4.6.2-6.2 1.6" />
    <path d="M12 19c-2.3-1.6-3.5-4-3.5-6.8C8.5 9.6 10 7 12 5c2 2 3.5 4.6 3.5 7.2 0 2.8-1.2 5.2-3.5 6.8Z" />
  </>,
);
export const BreathIcon = icon(
  <>
    <circle cx="12" cy="12" r="3" />
    <circle cx="12" cy="12" r="6.5" opacity="0.6" />
    <circle cx="12" cy="12" r="10" opacity="0.3" />
  </>,
);
export const HeartPulseIcon = icon(
  <>
    <path d="M19.5 12.6 12 20l-7.5-7.4A4.8 4.8 0 0 1 12 6.4a4.8 4.8 0 0 1 7.5 6.2Z" />
    <path d="M3.5 12h4l1.5-2.5 2.5 5 1.5-2.5h7.5" />
  </>,
);
export const PenDocIcon = icon(
  <>
    <path d="M13 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h4" />
    <path d="M13 3v5h5M9 12h5M9 16h2" />
    <path d="m15 20.5.6-2.6 4.3-4.3a1.4 1.4 0 0 1 2 2l-4.3 4.3-2.6.6Z" />
  </>,
);
export const PlayIcon = icon(<path d="M7 4.5v15l12.5-7.5L7 4.5Z" />);
export const PauseIcon = icon(<path d="M8 5v14M16 5v14" strokeWidth={2.6} />);
export const StopIcon = icon(<rect x="6" y="6" width="12" height="12" rx="2" />);
export const BellIcon = icon(
  <>
    <path d="M6 16V11a6 6 0 1 1 12 0v5l1.5 2h-15L6 16Z" />
    <path d="M10 20.5a2 2 0 0 0 4 0" />
  </>,
);
export const BellOffIcon = icon(
  <>
    <path d="M8.5 5.9A6 6 0 0 1 18 11v4M6 11v5l-1.5 2H18" />
    <path d="M10 20.5a2 2 0 0 0 4 0M3 3l18 18" />
  </>,
);
export const SendIcon = icon(<path d="M21 3 10.5 13.5M21 3l-6.5 18-4-7.5L3 9.5 21 3Z" />);
export const LifebuoyIcon = icon(
  <>
    <circle cx="12" cy="12" r="9" />
    <circle cx="12" cy="12" r="3.8" />
    <path d="m5.6 5.6 3.7 3.7M14.7 14.7l3.7 3.7M18.4 5.6l-3.7 3.7M9.3 14.7l-3.7 3.7" />
  </>,
);
export const LinkIcon = icon(
  <>
    <path d="M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1.2 1.2" />
    <path d="M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1.2-1.2" />
  </>,
);
export const ArrowLeftIcon = icon(<path d="M19 12H5M11 18l-6-6 6-6" />);
export const SlidersIcon = icon(
  <>
    <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
    <circle cx="15" cy="6" r="2" />
    <circle cx="9" cy="12" r="2" />
    <circle cx="17" cy="18" r="2" />
  </>,
);
export const HeartIcon = icon(<path d="M19.5 12.6 12 20l-7.5-7.4A4.8 4.8 0 0 1 12 6.4a4.8 4.8 0 0 1 7.5 6.2Z" />);
export const TicketIcon = icon(
  <>
    <path d="M3 8a2 2 0 0 0 2-2h14a2 2 0 0 0 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 0-2 2H5a2 2 0 0 0-2-2v-2a2 2 0 0 0 0-4V8Z" />
    <path d="M14 6v12" strokeDasharray="2 2.5" />
  </>,
);
