/**
 * Pulse's building blocks: real <button>, <label>, <table> elements with the look of their
 * CSS Module beside them. `ui` names the primitives' classes for markup that cannot use a
 * component (a <textarea>, a <fieldset>, a hand-built card header).
 */
import { cardStyles } from "./Card";
import { emptyStyles } from "./EmptyState";
import { formStyles } from "./Field";
import layout from "./Layout.module.css";
import { pageHeaderStyles } from "./PageHeader";
import { tableStyles } from "./Table";
import { badgeClass } from "./Badge";

export { cx } from "./cx";
export { Button, buttonClass, type ButtonProps } from "./Button";
export { Badge, badgeClass, StatusBadge, STATUS_LABEL, STATUS_TONE, type HealthStatus, type Tone } from "./Badge";
export { Card, CardBody, CardFooter, CardHeader } from "./Card";
export { PageHeader } from "./PageHeader";
export { Field, type FieldProps } from "./Field";
export { Alert, ErrorRegion } from "./Alert";
export { Table, tableStyles } from "./Table";
export { EmptyState } from "./EmptyState";
export { Skeleton } from "./Skeleton";
export { Avatar } from "./Avatar";
export { LoadError } from "./LoadError";
export { ListFooter } from "./ListFooter";
export { formStyles };
/** `stack` (a column of cards), `grid2` (+ `grid2Wide`), `grid3`. */
export { layout };

export const ui = {
  card: cardStyles.card,
  cardHeader: cardStyles.header,
  cardHeaderText: cardStyles.headerText,
  cardTitle: cardStyles.title,
  cardDescription: cardStyles.description,
  cardBody: cardStyles.body,
  cardFooter: cardStyles.footer,
  form: formStyles.form,
  field: formStyles.field,
  formRow: formStyles.formRow,
  formActions: formStyles.formActions,
  labelRow: formStyles.labelRow,
  label: formStyles.label,
  hint: formStyles.hint,
  input: formStyles.input,
  fieldError: formStyles.fieldError,
  pageEyebrow: pageHeaderStyles.eyebrow,
  pageTitle: pageHeaderStyles.title,
  pageDescription: pageHeaderStyles.description,
  badge: badgeClass(),
  emptyIcon: emptyStyles.icon,
  cellLines: tableStyles.lines,
  cellSub: tableStyles.sub,
} as const;
