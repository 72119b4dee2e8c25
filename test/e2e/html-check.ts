/**
 * A strict little well-formedness check for the HTML cinerank generates: a doctype, every
 * non-void element closed in order, no external resources (scripts, stylesheets, images by URL),
 * and unique ids. Not a general HTML parser: our pages quote every attribute and use no raw
 * text elements besides <style> and <title>.
 */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);

export function checkHtml(html: string): string[] {
  const errors: string[] = [];
  if (!/^<!DOCTYPE html>/i.test(html)) errors.push("missing <!DOCTYPE html>");
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, "<style></style>");
  const stack: string[] = [];
  const ids = new Set<string>();
  for (const m of body.matchAll(
    /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z:-]+(?:="[^"]*")?)*)\s*(\/?)>|<(?!!DOCTYPE)[^>]*$/g,
  )) {
    if (m[2] === undefined) {
      errors.push("unterminated tag");
      continue;
    }
    const [, close, name, attrs, selfClose] = m;
    const tag = name.toLowerCase();
    for (const a of attrs.matchAll(/\s([a-zA-Z:-]+)="([^"]*)"/g)) {
      if (a[1] === "id") {
        if (ids.has(a[2])) errors.push(`duplicate id ${a[2]}`);
        ids.add(a[2]);
      }
      if ((a[1] === "src" || a[1] === "href") && /^(https?:)?\/\//.test(a[2]) && tag !== "svg")
        errors.push(`external resource ${a[2]}`);
    }
    if (tag === "script") errors.push("script element");
    if (close) {
      const open = stack.pop();
      if (open !== tag) errors.push(`</${tag}> closes <${open ?? "nothing"}>`);
    } else if (!selfClose && !VOID.has(tag)) stack.push(tag);
  }
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(" > ")}`);
  for (const href of html.matchAll(/href="#([^"]+)"/g))
    if (!ids.has(href[1])) errors.push(`link to missing #${href[1]}`);
  return errors;
}
