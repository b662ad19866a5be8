"use client";
import { Composer } from "./Composer";
import { useConversations } from "./ConversationList";
import { ExamplePrompts } from "./ExamplePrompts";
import styles from "./Chat.module.css";

/**
 * No conversation open: a fresh start. The first message (typed, or an example prompt) makes a
 * conversation named after it and opens it with Claude's answer streaming in.
 */
export function StartPane({
  onStart,
  starting,
  disabledReason,
  error,
}: {
  onStart(content: string): Promise<boolean>;
  starting: boolean;
  disabledReason: string | null;
  error: string | null;
}) {
  const { list, items } = useConversations();
  const none = list.isSuccess && items.length === 0;
  return (
    <section className={styles.pane} aria-labelledby="start-title" data-testid="start-pane">
      <header className={styles.paneHeader}>
        <div className={styles.paneTitleText}>
          <h2 className={styles.paneTitle} id="start-title">
            New conversation
          </h2>
          <p className={styles.paneSub}>Your first message names it; you can rename it later.</p>
        </div>
      </header>
      <div className={styles.scroller}>
        <div className={styles.paneState}>
          <ExamplePrompts
            title={none ? "No conversations yet" : "What can Claude help with?"}
            text={
              none
                ? "Start with one of these, or write your own below. Answers stream in as Claude writes them."
                : "Open one of your conversations, or start a new one: pick an example or write your own."
            }
            disabled={disabledReason !== null}
            busy={starting}
            onPick={(prompt) => void onStart(prompt)}
          />
        </div>
      </div>
      <Composer onSend={onStart} sending={starting} answering={false} disabledReason={disabledReason} error={error} />
    </section>
  );
}
