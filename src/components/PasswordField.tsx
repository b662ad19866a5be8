"use client";
import { useState } from "react";
import { EyeIcon, EyeOffIcon } from "./icons";
import { Button, Field, formStyles, type FieldProps } from "./ui";

/** A password input with a show / hide button. */
export function PasswordField(props: Omit<FieldProps, "type" | "addon">) {
  const [visible, setVisible] = useState(false);
  return (
    <Field
      {...props}
      type={visible ? "text" : "password"}
      addon={
        <Button
          variant="ghost"
          size="sm"
          className={formStyles.addon}
          onClick={() => setVisible((v) => !v)}
          aria-label={visible ? "Hide password" : "Show password"}
          aria-pressed={visible}
        >
          {visible ? <EyeOffIcon size={16} /> : <EyeIcon size={16} />}
        </Button>
      }
    />
  );
}
