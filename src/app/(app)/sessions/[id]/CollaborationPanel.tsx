"use client";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type * as Y from "yjs";
import { errorMessage } from "@/components/errors";
import { CheckCircleIcon } from "@/components/icons";
import { createDocSync, DOC_TEXT, type DocSync } from "@/components/sessions/docBinding";
import { KindPanel } from "@/components/sessions/KindPanel";
import { Avatar, Badge, CardHeader, ui } from "@/components/ui";
import { useTRPCClient } from "@/trpc/react";
import styles from "./CollaborationPanel.module.css";

const IDLE_SYNC: DocSync = {
  bind: () => () => undefined,
  status: () => "saved",
  subscribe: () => () => undefined,
  destroy: () => undefined,
};

export function CollaborationPanel({
  sessionId,
  doc,
  closed,
  editors,
}: {
  sessionId: string;
  doc: Y.Doc;
  closed: boolean;
  /** Who is online in the room now. */
  editors: string[];
}) {
  const client = useTRPCClient();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [sync, setSync] = useState<DocSync>(IDLE_SYNC);
  const [error, setError] = useState<string | null>(null);
  const [counts, setCounts] = useState({ words: 0, chars: 0 });

  useEffect(() => {
    const next = createDocSync(
      doc,
      (update) => client.sessions.updateState.mutate({ sessionId, kind: "collaboration", update }).then(() => setError(null)),
      (err) => setError(errorMessage(err)),
    );
    setSync(next);
    const unbind = textarea.current ? next.bind(textarea.current) : () => undefined;
    const text = doc.getText(DOC_TEXT);
    const count = () => {
      const value = text.toString();
      setCounts({ chars: value.length, words: value.trim() ? value.trim().split(/\s+/).length : 0 });
    };
    count();
    text.observe(count);
    return () => {
      text.unobserve(count);
      unbind();
      next.destroy();
    };
  }, [client, doc, sessionId]);

  const status = useSyncExternalStore(sync.subscribe, sync.status, () => "saved" as const);

  return (
    <KindPanel kind="collaboration">
      <CardHeader
        titleId="panel-title"
        title="Shared document"
        description="Everyone here edits the same text at once; every keystroke is merged, none is lost."
        actions={
          <div className={styles.editors} aria-label={`${editors.length} online`}>
            {editors.slice(0, 5).map((name, i) => (
              <span key={`${name}-${i}`} title={name}>
                <Avatar name={name} />
              </span>
            ))}
          </div>
        }
      />
      <div className={styles.body}>
        <label htmlFor="doc-editor" className="sr-only">
          Shared document
        </label>
        <textarea
          id="doc-editor"
          ref={textarea}
          className={styles.editor}
          spellCheck
          readOnly={closed}
          placeholder={closed ? "" : "Start typing: everyone in the room sees it as you write…"}
          data-testid="doc-editor"
        />
      </div>
      <div className={ui.cardFooter}>
        <span className="tabular">
          {counts.words.toLocaleString()} {counts.words === 1 ? "word" : "words"} · {counts.chars.toLocaleString()} characters
        </span>
        <span role="status" data-testid="doc-status">
          {closed ? (
            <Badge>Read only: the session has ended</Badge>
          ) : status === "retrying" ? (
            <Badge tone="warning" dot title={error ?? undefined}>
              Not saved yet: retrying…
            </Badge>
          ) : status === "saving" ? (
            <Badge tone="info" dot>
              Saving…
            </Badge>
          ) : (
            <span className={styles.saved}>
              <CheckCircleIcon size={14} /> All changes saved
            </span>
          )}
        </span>
      </div>
    </KindPanel>
  );
}
