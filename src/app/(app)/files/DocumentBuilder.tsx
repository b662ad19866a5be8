"use client";
import { useId, useState } from "react";
import { PlusIcon, TrashIcon } from "@/components/icons";
import { Button, Field, cx, ui } from "@/components/ui";
import {
  BULLET_MAX_CHARS,
  DOCUMENT_AUTHOR_MAX_CHARS,
  DOCUMENT_MAX_SECTIONS,
  DOCUMENT_TITLE_MAX_CHARS,
  HEADING_MAX_CHARS,
  IMAGE_MAX_BYTES,
} from "@/shared/files/document";
import { formatBytes } from "@/shared/files";
import { EXAMPLE_DOCUMENT, emptySection, type Draft, type SectionDraft } from "./draft";
import styles from "./NewFile.module.css";

type DocumentDraft = Pick<Draft, "title" | "author" | "sections">;

/** Title, author and sections (heading, paragraphs, bullets, a pasted table, an image). */
export function DocumentBuilder({
  value,
  onChange,
  errors,
}: {
  value: DocumentDraft;
  onChange(next: Partial<DocumentDraft>): void;
  errors: Record<string, string | undefined>;
}) {
  const setSection = (key: number, patch: Partial<SectionDraft>) =>
    onChange({ sections: value.sections.map((section) => (section.key === key ? { ...section, ...patch } : section)) });

  return (
    <div className={styles.builder}>
      <div className={ui.formRow}>
        <Field
          label="Title"
          name="title"
          value={value.title}
          maxLength={DOCUMENT_TITLE_MAX_CHARS}
          onChange={(e) => onChange({ title: e.target.value })}
          error={errors.title}
        />
        <Field
          label="Author"
          name="author"
          value={value.author}
          maxLength={DOCUMENT_AUTHOR_MAX_CHARS}
          placeholder="Optional"
          onChange={(e) => onChange({ author: e.target.value })}
        />
      </div>

      <ol className={styles.sections} aria-label="Sections">
        {value.sections.map((section, index) => (
          <li key={section.key} className={styles.section}>
            <div className={styles.sectionHead}>
              <span className={styles.sectionNumber} aria-hidden="true">
                {index + 1}
              </span>
              <Field
                label={`Section ${index + 1} heading`}
                value={section.heading}
                maxLength={HEADING_MAX_CHARS}
                onChange={(e) => setSection(section.key, { heading: e.target.value })}
                error={errors[`sections.${index}.heading`]}
              />
              <Button
                size="sm"
                variant="ghost"
                icon
                aria-label={`Remove section ${index + 1}`}
                title="Remove section"
                disabled={value.sections.length === 1}
                onClick={() => onChange({ sections: value.sections.filter((s) => s.key !== section.key) })}
              >
                <TrashIcon size={15} />
              </Button>
            </div>
            <TextArea
              label="Paragraphs"
              hint="A blank line starts a new paragraph."
              rows={3}
              value={section.paragraphs}
              onChange={(paragraphs) => setSection(section.key, { paragraphs })}
            />
            <TextArea
              label="Bullet points"
              hint="One per line."
              rows={2}
              maxLength={BULLET_MAX_CHARS * 20}
              value={section.bullets}
              onChange={(bullets) => setSection(section.key, { bullets })}
            />
            <TextArea
              label="Table"
              hint="Paste from a spreadsheet, or type CSV: the first line is the header."
              rows={2}
              mono
              value={section.table}
              onChange={(table) => setSection(section.key, { table })}
              error={errors[`sections.${index}.table`]}
            />
            <ImagePicker section={section} index={index} onChange={(image) => setSection(section.key, { image })} />
          </li>
        ))}
      </ol>
      {errors.sections && <p className={ui.fieldError}>{errors.sections}</p>}
      <div className={styles.builderActions}>
        <Button
          size="sm"
          onClick={() => onChange({ sections: [...value.sections, emptySection()] })}
          disabled={value.sections.length >= DOCUMENT_MAX_SECTIONS}
        >
          <PlusIcon size={14} />
          Add section
        </Button>
        <Button size="sm" variant="ghost" onClick={() => onChange({ ...EXAMPLE_DOCUMENT, sections: EXAMPLE_DOCUMENT.sections.map((s) => ({ ...s, key: emptySection().key })) })}>
          Start from the example
        </Button>
      </div>
    </div>
  );
}

export function TextArea({
  label,
  hint,
  error,
  value,
  onChange,
  rows,
  mono,
  maxLength,
  placeholder,
  name,
}: {
  label: string;
  hint?: string;
  error?: string;
  value: string;
  onChange(value: string): void;
  rows: number;
  mono?: boolean;
  maxLength?: number;
  placeholder?: string;
  name?: string;
}) {
  const id = useId();
  return (
    <div className={ui.field}>
      <label className={ui.label} htmlFor={id}>
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        className={cx(ui.input, styles.textarea, mono && styles.mono)}
        rows={rows}
        value={value}
        maxLength={maxLength}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-note`}
        onChange={(e) => onChange(e.target.value)}
      />
      <p className={error ? ui.fieldError : ui.hint} id={`${id}-note`}>
        {error ?? hint}
      </p>
    </div>
  );
}

function ImagePicker({ section, index, onChange }: { section: SectionDraft; index: number; onChange(image: SectionDraft["image"]): void }) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  async function pick(file: File | undefined) {
    setProblem(null);
    if (!file) return;
    if (file.type !== "image/png" && file.type !== "image/jpeg") return setProblem("Choose a PNG or JPEG image.");
    if (file.size > IMAGE_MAX_BYTES) return setProblem(`That image is ${formatBytes(file.size)}; the most is ${formatBytes(IMAGE_MAX_BYTES)}.`);
    const dataUrl = await new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error("The image could not be read."));
      reader.readAsDataURL(file);
    });
    onChange({ dataUrl, alt: "", name: file.name });
  }
  if (section.image) {
    return (
      <div className={styles.image}>
        <img src={section.image.dataUrl} alt="" className={styles.imageThumb} />
        <Field
          label={`Image description (section ${index + 1})`}
          value={section.image.alt}
          placeholder="What the image shows"
          onChange={(e) => onChange(section.image && { ...section.image, alt: e.target.value })}
        />
        <Button size="sm" variant="ghost" onClick={() => onChange(null)}>
          Remove image
        </Button>
      </div>
    );
  }
  return (
    <div className={ui.field}>
      <label className={ui.label} htmlFor={id}>
        Image
      </label>
      <input id={id} type="file" accept="image/png,image/jpeg" className={styles.fileInput} aria-describedby={`${id}-note`} onChange={(e) => void pick(e.target.files?.[0])} />
      <p className={problem ? ui.fieldError : ui.hint} id={`${id}-note`}>
        {problem ?? `Optional: a PNG or JPEG up to ${formatBytes(IMAGE_MAX_BYTES)}.`}
      </p>
    </div>
  );
}
