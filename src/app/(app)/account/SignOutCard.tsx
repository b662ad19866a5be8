"use client";
import { useShell } from "@/components/AppShell";
import { LogOutIcon } from "@/components/icons";
import { Button, Card, CardBody, ui } from "@/components/ui";
import styles from "./SignOutCard.module.css";

/** Signs out this device only; the login sessions card signs out the others. */
export function SignOutCard() {
  const { signOut, signingOut } = useShell();
  return (
    <Card aria-labelledby="signout-title">
      <CardBody className={styles.row}>
        <div className={styles.text}>
          <h2 className={ui.cardTitle} id="signout-title">
            Sign out
          </h2>
          <p className={ui.cardDescription}>Sign out of Pulse on this device. Your other sessions stay signed in.</p>
        </div>
        <Button variant="danger" onClick={signOut} loading={signingOut}>
          {signingOut ? null : <LogOutIcon size={15} />}
          Sign out
        </Button>
      </CardBody>
    </Card>
  );
}
