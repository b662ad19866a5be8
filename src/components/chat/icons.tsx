/** The chat page's own icons, drawn like Pulse's set (src/components/icons.tsx). */
import { icon } from "@/components/icons";

export const SendIcon = icon(<path d="M4.5 12 20 4.5 15.5 20l-3.2-6.3L4.5 12ZM12.3 13.7 20 4.5" />);
export const StopIcon = icon(<rect x="6.5" y="6.5" width="11" height="11" rx="2" fill="currentColor" stroke="none" />);
export const PencilIcon = icon(<path d="M14.5 5.5 18.5 9.5M4.5 19.5l1-4.5L16 4.5a2.1 2.1 0 0 1 3 3L8.5 18l-4 1.5Z" />);
export const ArrowLeftIcon = icon(<path d="M19 12H5M11 6l-6 6 6 6" />);
export const RetryIcon = icon(<path d="M4 12a8 8 0 0 1 13.7-5.6L20 8.5M20 4v4.5h-4.5M20 12a8 8 0 0 1-13.7 5.6L4 15.5M4 20v-4.5h4.5" />);
