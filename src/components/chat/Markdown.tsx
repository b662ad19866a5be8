"use client";
/**
 * Markdown as Claude writes it (GitHub flavour: tables, task lists, strikethrough, autolinks),
 * rendered SAFELY: react-markdown builds React elements from the Markdown tree and never renders
 * raw HTML (no rehype-raw: `<b>` in an answer is text), and its URL transform drops `javascript:`
 * and other unsafe links. Images are shown as links, so an answer cannot make the browser fetch
 * anything. Code blocks are highlighted by highlight.js (rehype-highlight; the theme is in
 * Markdown.module.css, in light and dark) and each has its language and a copy button.
 */
import { memo, type ReactNode } from "react";
import ReactMarkdown, { type Components, type ExtraProps } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { CopyButton } from "@/components/CopyButton";
import { cx } from "@/components/ui";
import styles from "./Markdown.module.css";

type HastNode = NonNullable<ExtraProps["node"]>;
type HastChild = HastNode["children"][number];

/** The text of a node as it reads (the code's text for the copy button, without the highlighting). */
function textOf(node: HastNode | HastChild): string {
  if ("value" in node && typeof node.value === "string") return node.value;
  if ("children" in node) return node.children.map((child) => textOf(child as HastChild)).join("");
  return "";
}

/** `language-ts` → `ts` (the class rehype-highlight and remark give a fenced block). */
function languageOf(node: HastNode | undefined): string | null {
  const code = node?.children.find((child): child is HastNode => child.type === "element" && child.tagName === "code");
  const classes = code?.properties.className;
  const list = Array.isArray(classes) ? classes.map(String) : [];
  const language = list.find((name) => name.startsWith("language-"));
  return language ? language.slice("language-".length) : null;
}

function CodeBlock({ node, children }: { node?: HastNode; children?: ReactNode }) {
  const language = languageOf(node);
  const text = node ? textOf(node).replace(/\n$/, "") : "";
  return (
    <figure className={styles.codeBlock} data-testid="code-block">
      <figcaption className={styles.codeHeader}>
        <span className={styles.codeLanguage}>{language ?? "text"}</span>
        <span className={styles.codeCopy}>
          <CopyButton text={text} label="Copy code" quiet />
        </span>
      </figcaption>
      <pre className={styles.pre}>{children}</pre>
    </figure>
  );
}

const COMPONENTS: Components = {
  pre: ({ node, children }) => <CodeBlock node={node}>{children}</CodeBlock>,
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener nofollow">
      {children}
    </a>
  ),
  // An image would be fetched from wherever the answer says: a link to it is enough.
  img: ({ src, alt }) =>
    typeof src === "string" && src ? (
      <a href={src} target="_blank" rel="noreferrer noopener nofollow">
        {alt || src}
      </a>
    ) : (
      <span>{alt}</span>
    ),
  table: ({ children }) => (
    <div className={styles.tableWrap}>
      <table>{children}</table>
    </div>
  ),
};

const REMARK_PLUGINS = [remarkGfm];
const REHYPE_PLUGINS = [rehypeHighlight];

/** One message's Markdown; re-rendered only when its text changes. */
export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={cx(styles.markdown, className)}>
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
