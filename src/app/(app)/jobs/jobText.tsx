import { FileIcon, GlobeIcon, icon, LayersIcon } from "@/components/icons";
import { formatDuration } from "@/components/time";
import { FILE_JOB_TYPES, JOB_TYPE_LABELS } from "@/shared/files";

/** What the Jobs page says about a job in words and small pictures. */

export const TableIcon = icon(
  <>
    <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
    <path d="M3.5 9.5h17M3.5 14.5h17M9.5 9.5v10" />
  </>,
);
export const ImageIcon = icon(
  <>
    <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
    <circle cx="9" cy="10" r="1.6" />
    <path d="m20.5 16-4.5-4.5L7 19.5" />
  </>,
);
export const RetryIcon = icon(
  <>
    <path d="M4 12a8 8 0 0 1 13.7-5.6L20 8.5" />
    <path d="M20 4v4.5h-4.5" />
    <path d="M20 12a8 8 0 0 1-13.7 5.6L4 15.5" />
    <path d="M4 20v-4.5h4.5" />
  </>,
);
export const DownloadIcon = icon(<path d="M12 4v11M7 10.5l5 5 5-5M5 20h14" />);
export const StopIcon = icon(<rect x="6.5" y="6.5" width="11" height="11" rx="2" />);

const TYPE_ICON: Record<string, ReturnType<typeof icon>> = {
  [FILE_JOB_TYPES.pdf]: FileIcon,
  [FILE_JOB_TYPES.docx]: FileIcon,
  [FILE_JOB_TYPES.csv]: TableIcon,
  [FILE_JOB_TYPES.screenshot]: ImageIcon,
  [FILE_JOB_TYPES.pagepdf]: GlobeIcon,
};

export function TypeIcon({ type, size = 18 }: { type: string; size?: number }) {
  const Icon = TYPE_ICON[type] ?? LayersIcon;
  return <Icon size={size} />;
}

/** "Screenshot", or the raw type for one the page has no name for. */
export const typeLabel = (type: string) => JOB_TYPE_LABELS[type] ?? type;

/** The first block of the id: enough to tell jobs apart on one page. */
export const shortId = (id: string) => id.slice(0, 8);

/** "4 s", "1 min 5 s": how long until `at`, never below 1 s (the worker takes it at 0). */
export function untilText(at: Date | string, now: number): string {
  return formatDuration(Math.max(1, Math.ceil((new Date(at).getTime() - now) / 1000)));
}

/** "under a second", "12 s", "3 min 4 s": how long a run took. */
export function tookText(from: Date | string, to: Date | string): string {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return ms < 1000 ? "under a second" : formatDuration(ms / 1000);
}
