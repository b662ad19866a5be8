import Link from "next/link";
import { ArrowLeftIcon } from "@/components/sessions/SessionIcons";
import styles from "./BackLink.module.css";

export function BackLink() {
  return (
    <Link href="/sessions" className={styles.link}>
      <ArrowLeftIcon size={15} />
      All sessions
    </Link>
  );
}
