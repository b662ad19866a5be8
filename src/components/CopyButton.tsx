"use client";
import { useEffect, useState } from "react";
import { CheckIcon, CopyIcon, type IconProps } from "./icons";
import { Button } from "./ui";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (insecure origin, denied permission): fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

export function CopyButton({
  text,
  label = "Copy",
  quiet = false,
  Icon = CopyIcon,
}: {
  text: string;
  label?: string;
  /** A secondary button, for a copy action beside a more important one. */
  quiet?: boolean;
  Icon?: (props: IconProps) => React.ReactNode;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <>
      <Button
        variant={state === "copied" || quiet ? "secondary" : "primary"}
        onClick={async () => setState((await copyText(text)) ? "copied" : "failed")}
        aria-label={state === "copied" ? "Copied to clipboard" : label}
      >
        {state === "copied" ? <CheckIcon size={15} /> : <Icon size={15} />}
        {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
      </Button>
      <span className="sr-only" aria-live="polite">
        {state === "copied" ? "Copied to clipboard." : state === "failed" ? "Copying failed; select the text and copy it." : ""}
      </span>
    </>
  );
}
