"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { SparkIcon } from "@/components/icons";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { Button, ErrorRegion, Field, cx, ui } from "@/components/ui";
import { EXPORT_KINDS, EXPORT_LABELS, FILE_KINDS, SCREENSHOT_LIMITS, URL_MAX_CHARS } from "@/shared/files";
import { JOB_PRIORITIES, type JobPriority } from "@/shared/jobs";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { DocumentBuilder, TextArea } from "./DocumentBuilder";
import { KIND_UI } from "./kinds";
import { DraftError, INITIAL_DRAFT, toCreateInput, type CreateInput, type Draft } from "./draft";
import styles from "./NewFile.module.css";


const PRESETS = [
  { label: "Desktop", width: 1280, height: 800 },
  { label: "Tablet", width: 768, height: 1024 },
  { label: "Phone", width: 390, height: 844 },
] as const;

const PRIORITY_LABEL: Record<JobPriority, string> = { high: "High", normal: "Normal", low: "Low" };

/** Zod's paths ("document.sections.0.heading") as the builder names its fields. */
function fieldErrors(error: FormError): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [path, message] of Object.entries(error.fields)) out[path.replace(/^document\./, "")] = message;
  return out;
}

export function NewFileCard({ onCreated }: { onCreated(created: { fileId: string; name: string }): void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(INITIAL_DRAFT);
  const [error, setError] = useState<FormError>(NO_ERROR);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const create = useMutation({
    mutationFn: (input: CreateInput) => client.files.create.mutate(input),
    onSuccess: ({ file }) => {
      void queryClient.invalidateQueries({ queryKey: trpc.files.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() });
      onCreated({ fileId: file.id, name: file.name });
    },
    onError: (err) => setError(toFormError(err)),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    try {
      create.mutate(toCreateInput(draft));
    } catch (problem) {
      if (problem instanceof DraftError) setError({ message: null, fields: { [problem.field]: problem.message } });
      else throw problem;
    }
  }

  const fields = fieldErrors(error);
  const problems = Object.values(fields).filter((m): m is string => !!m);
  const summary = problems.length > 1 ? `Fix ${problems.length} things: ${problems.join(" ")}` : (problems[0] ?? error.message);
  const isPage = draft.kind === "screenshot" || draft.kind === "pagepdf";

  return (
    <section className={cx(ui.card, styles.card)} aria-labelledby="new-file-title">
      <div className={ui.cardHeader}>
        <div className={ui.cardHeaderText}>
          <h2 className={ui.cardTitle} id="new-file-title">
            New file
          </h2>
          <p className={ui.cardDescription}>Made in the background: follow it in the list, download it when it is ready.</p>
        </div>
      </div>
      <form className={cx(ui.cardBody, ui.form)} onSubmit={onSubmit} noValidate>
        <ErrorRegion message={summary} />
        <fieldset className={styles.kinds}>
          <legend className="sr-only">Kind of file</legend>
          {FILE_KINDS.map((kind) => {
            const { Icon, label, blurb } = KIND_UI[kind];
            return (
              <label key={kind} className={styles.kind}>
                <input type="radio" name="kind" value={kind} checked={draft.kind === kind} onChange={() => set({ kind })} className="sr-only" />
                <span className={styles.kindIcon}>
                  <Icon size={17} />
                </span>
                <span className={styles.kindLabel}>{label}</span>
                <span className={styles.kindBlurb}>{blurb}</span>
              </label>
            );
          })}
        </fieldset>

        {(draft.kind === "pdf" || draft.kind === "docx") && <DocumentBuilder value={draft} onChange={set} errors={fields} />}

        {draft.kind === "csv" && (
          <>
            <ChipRow role="group" aria-label="What goes in the table">
              <Chip on={draft.csvSource === "export"} onClick={() => set({ csvSource: "export" })}>
                Export my data
              </Chip>
              <Chip on={draft.csvSource === "rows"} onClick={() => set({ csvSource: "rows" })}>
                Paste rows
              </Chip>
            </ChipRow>
            {draft.csvSource === "export" ? (
              <div className={ui.field}>
                <label className={ui.label} htmlFor="csv-export">
                  Data
                </label>
                <select id="csv-export" className={ui.input} value={draft.csvExport} onChange={(e) => set({ csvExport: e.target.value as Draft["csvExport"] })}>
                  {EXPORT_KINDS.map((kind) => (
                    <option key={kind} value={kind}>
                      {EXPORT_LABELS[kind]}
                    </option>
                  ))}
                </select>
                <p className={ui.hint}>Everything of yours, streamed into one file however large.</p>
              </div>
            ) : (
              <TextArea
                label="Rows"
                name="rows"
                rows={6}
                mono
                placeholder={"name,score\nAda,92\nGrace,88"}
                hint="CSV or pasted from a spreadsheet. Cells starting with = + - @ are written so spreadsheets do not run them."
                value={draft.csvRows}
                onChange={(csvRows) => set({ csvRows })}
                error={fields.rows}
              />
            )}
          </>
        )}

        {isPage && (
          <Field
            label="Page address"
            name="url"
            type="url"
            inputMode="url"
            placeholder="https://example.com"
            maxLength={URL_MAX_CHARS}
            value={draft.url}
            onChange={(e) => set({ url: e.target.value })}
            error={fields.url}
            hint="A public http(s) page. Addresses on private networks are refused."
          />
        )}

        {draft.kind === "screenshot" && (
          <div className={styles.shotOptions}>
            <ChipRow role="group" aria-label="Size presets">
              {PRESETS.map((preset) => (
                <Chip key={preset.label} on={draft.width === preset.width && draft.height === preset.height} onClick={() => set({ width: preset.width, height: preset.height })}>
                  {preset.label}
                </Chip>
              ))}
            </ChipRow>
            <div className={ui.formRow}>
              <Field
                label="Width (px)"
                type="number"
                min={SCREENSHOT_LIMITS.width.min}
                max={SCREENSHOT_LIMITS.width.max}
                value={draft.width}
                onChange={(e) => set({ width: e.target.valueAsNumber || 0 })}
                error={fields.width}
              />
              <Field
                label="Height (px)"
                type="number"
                min={SCREENSHOT_LIMITS.height.min}
                max={SCREENSHOT_LIMITS.height.max}
                value={draft.height}
                onChange={(e) => set({ height: e.target.valueAsNumber || 0 })}
                error={fields.height}
              />
            </div>
            <label className={styles.check}>
              <input type="checkbox" checked={draft.fullPage} onChange={(e) => set({ fullPage: e.target.checked })} />
              Capture the whole page, not only what fits in the window
            </label>
          </div>
        )}

        <div className={styles.submitRow}>
          <label className={styles.priority}>
            <span className={ui.label}>Priority</span>
            <select className={ui.input} value={draft.priority} onChange={(e) => set({ priority: e.target.value as JobPriority })}>
              {JOB_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {PRIORITY_LABEL[p]}
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" variant="primary" loading={create.isPending}>
            {create.isPending ? null : <SparkIcon size={15} />}
            Generate {KIND_UI[draft.kind].label}
          </Button>
        </div>
      </form>
    </section>
  );
}
