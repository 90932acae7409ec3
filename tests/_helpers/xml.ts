/**
 * A small XML well-formedness check for the generated SVGs (Deno has no
 * DOMParser): every tag closed in order, attributes quoted and unique, no
 * bare `&` or `<` in text, one root. Returns the elements with their
 * attributes, in document order, for the tests to query.
 *
 * @module
 */

/** One element: its name and attributes (values unescaped). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Names of the elements it is inside, outermost first. */
  ancestors: string[];
  /** Its direct text content, unescaped (for <text> and <title>). */
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function unescape(s: string): string {
  return s.replace(ENTITY, (e) => {
    const named: Record<string, string> = {
      "&amp;": "&",
      "&lt;": "<",
      "&gt;": ">",
      "&quot;": '"',
      "&apos;": "'",
    };
    if (named[e]) return named[e];
    const code = e.startsWith("&#x") ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
    return String.fromCodePoint(code);
  });
}

function checkText(s: string, where: number): void {
  if (s.includes("<")) throw new Error(`bare < at ${where}`);
  if (s.replace(ENTITY, "").includes("&")) throw new Error(`bare & at ${where}: ${s.slice(0, 60)}`);
}

/** Parse `xml`; throws an Error saying where it is not well-formed. */
export function parseXml(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let roots = 0;
  let i = 0;
  const s = xml.replace(/^<\?xml[^?]*\?>/, "");
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const text = s.slice(i, lt === -1 ? s.length : lt);
    checkText(text, i);
    if (open.length) open[open.length - 1].text += unescape(text);
    else if (text.trim()) throw new Error(`text outside the root at ${i}`);
    if (lt === -1) break;
    if (s.startsWith("<!--", lt)) {
      const end = s.indexOf("-->", lt);
      if (end === -1) throw new Error(`unclosed comment at ${lt}`);
      i = end + 3;
      continue;
    }
    if (s.startsWith("<![CDATA[", lt)) {
      const end = s.indexOf("]]>", lt);
      if (end === -1) throw new Error(`unclosed CDATA at ${lt}`);
      if (open.length) open[open.length - 1].text += s.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    const gt = s.indexOf(">", lt);
    if (gt === -1) throw new Error(`unclosed tag at ${lt}`);
    const tag = s.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const top = open.pop();
      if (!top || top.name !== name) {
        throw new Error(`</${name}> at ${lt} closes <${top?.name ?? "nothing"}>`);
      }
      i = gt + 1;
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = body.match(/^([A-Za-z_][\w.:-]*)([^]*)$/);
    if (!m) throw new Error(`bad tag <${tag.slice(0, 40)}> at ${lt}`);
    const attributes: Record<string, string> = {};
    let rest = m[2];
    const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/;
    for (let a = attr.exec(rest); a; a = attr.exec(rest)) {
      if (a[1] in attributes) throw new Error(`attribute ${a[1]} twice at ${lt}`);
      const value = a[3] ?? a[4];
      checkText(value, lt);
      attributes[a[1]] = unescape(value);
      rest = rest.slice(a[0].length);
    }
    if (rest.trim()) throw new Error(`bad attributes in <${m[1]}> at ${lt}: ${rest.slice(0, 40)}`);
    if (open.length === 0) roots++;
    if (roots > 1) throw new Error(`a second root element <${m[1]}> at ${lt}`);
    const element = { name: m[1], attributes, ancestors: open.map((e) => e.name), text: "" };
    elements.push(element);
    if (!selfClosing) open.push(element);
    i = gt + 1;
  }
  if (open.length) throw new Error(`unclosed <${open[open.length - 1].name}>`);
  if (roots !== 1) throw new Error("no root element");
  return elements;
}
